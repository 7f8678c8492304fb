"""Settings shared by every environment; production.py, local.py and test.py
add what differs."""

import os
from pathlib import Path

from config import env

BASE_DIR = Path(__file__).resolve().parents[2]

# Shown on the home page so a visitor can tell environments apart.
HAVEN_ENVIRONMENT = os.environ.get("HAVEN_ENVIRONMENT", "local")

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django_prometheus",
    "web",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before SecurityMiddleware and CommonMiddleware: health checks and
    # scrapes arrive over plain HTTP with an IP address as Host.
    "web.middleware.InternalEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files where no Nginx stands in front (EKS).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Nginx serves this directory on EC2; collectstatic fills it.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
# Hashed names let Nginx and browsers cache static files for long; build.py
# and production.py collect and serve with the same storage.
STATIC_FILES_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": STATIC_FILES_STORAGE,
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Migration metrics would query the database while the app loads, which
# would make a worker's start depend on the database answering.
PROMETHEUS_EXPORT_MIGRATIONS = False

# Bound on the health check's query, so a database that accepts connections
# but does not answer still lets /health/ reply in time.
HAVEN_HEALTH_QUERY_TIMEOUT_MS = env.as_int("HAVEN_HEALTH_QUERY_TIMEOUT_MS", 1000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
