"""Settings for pytest: production-like (DEBUG off) but without AWS. The test
fixtures point the database at their throwaway PostgreSQL server."""

import tempfile

from config.settings.local import *  # noqa: F403 - test settings extend local ones

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="haven-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="haven-static-")
