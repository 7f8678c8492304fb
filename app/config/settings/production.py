"""Settings for an environment that haven deploys (EC2 behind an ALB, EKS)."""

import os

from config import env
from config.database import database_from_environment
from config.settings.base import *  # noqa: F403 - settings modules extend the base

DEBUG = False

# Per environment, never shared and never in the repository.
SECRET_KEY = env.required("DJANGO_SECRET_KEY")

# The environment's public names. The load balancer's health checks, which
# carry the instance's private IP as Host, never reach host validation:
# web.middleware answers /health/ first.
ALLOWED_HOSTS = env.required_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.as_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATABASES = {"default": database_from_environment(strict=True)}

# The ALB terminates TLS and says so in X-Forwarded-Proto; Nginx passes the
# header on and nothing but the ALB can reach Nginx or the pods.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# An environment without an HTTPS listener must set this to false, or every
# page would redirect to an address that does not answer.
SECURE_SSL_REDIRECT = env.as_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

SECURE_HSTS_SECONDS = env.as_int("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.as_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.as_bool("DJANGO_HSTS_PRELOAD", False)
# Preloading commits the whole registrable domain, which the team that owns
# the domain decides, not one environment; the check is silenced until then.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

STORAGES = {
    # Uploads go to the environment's bucket under media/, private, reached
    # through signed URLs; instances and pods stay stateless.
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.required("MEDIA_BUCKET"),
            "location": "media",
            "region_name": os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
    "staticfiles": STATIC_FILES_STORAGE,  # noqa: F405 - defined in base
}
