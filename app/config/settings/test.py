"""Settings for pytest: production-like (DEBUG off) but without AWS. The test
fixtures point the database at their throwaway PostgreSQL server."""

import tempfile
from pathlib import Path

from config.settings.local import *  # noqa: F403 - test settings extend local ones
from config.settings.local import BASE_DIR

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
# Created only if a test saves a file.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "haven-test-media"
# The sources themselves: in-process tests need no collectstatic.
STATIC_ROOT = BASE_DIR / "web" / "static"
