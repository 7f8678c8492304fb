"""Settings for a developer's machine: `manage.py runserver` against a local
PostgreSQL (DATABASE_* variables, defaults localhost and user haven)."""

from config.database import database_from_environment
from config.settings.base import *  # noqa: F403 - settings modules extend the base
from config.settings.base import BASE_DIR

DEBUG = True
# Only ever used on a developer's machine, so a fixed key is harmless;
# production reads its own.
SECRET_KEY = "local-development-only-key-never-deployed"  # noqa: S105
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

DATABASES = {"default": database_from_environment(strict=False)}

MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
