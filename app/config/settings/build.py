"""Settings for build steps that touch neither the database nor S3, such as
`collectstatic` while the container image is built or the instance boots."""

from config.settings.base import *  # noqa: F403 - settings modules extend the base

# Never serves a request, so a fixed key is harmless; production reads its own.
SECRET_KEY = "build-steps-only-key-never-serves-requests"  # noqa: S105
DATABASES = {}
