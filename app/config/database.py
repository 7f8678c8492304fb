"""Builds the database settings from the environment.

Two sources, chosen by DB_SECRET_ARN:

- set (EC2): the user name and password come from the RDS-managed secret in
  Secrets Manager and the endpoint from the SSM parameter named by
  DB_ENDPOINT_PARAMETER; both are read when the first connection opens, not
  at import, so management commands that never connect need no AWS access;
- unset (EKS, local): DATABASE_HOST, DATABASE_PORT, DATABASE_USER and
  DATABASE_PASSWORD, which on EKS come from a Kubernetes Secret.
"""

import os

from config import env


def database_from_environment(strict: bool) -> dict:
    """Returns the `default` entry of DATABASES.

    With `strict`, a missing host or user stops start-up instead of falling
    back to a local server, so that a misconfigured instance fails loudly.
    """
    settings = {
        # A PostgreSQL backend that adds django-prometheus' query metrics and
        # reads credentials from Secrets Manager when configured to.
        "ENGINE": "web.db",
        "NAME": os.environ.get("DATABASE_NAME", "haven"),
        "PORT": os.environ.get("DATABASE_PORT", "5432"),
        # Connections live for a minute and are checked before reuse, so a
        # Multi-AZ failover costs one failed check, not a failed request.
        "CONN_MAX_AGE": env.as_int("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # Short, so that /health/ answers within the load balancer's
            # timeout when the database does not.
            "connect_timeout": env.as_int("DATABASE_CONNECT_TIMEOUT", 3),
        },
    }
    secret_arn = os.environ.get("DB_SECRET_ARN", "").strip()
    if secret_arn:
        settings["SECRET_ARN"] = secret_arn
        settings["ENDPOINT_PARAMETER"] = env.required("DB_ENDPOINT_PARAMETER")
        return settings

    read = env.required if strict else _with_local_default
    settings["HOST"] = read("DATABASE_HOST")
    settings["USER"] = read("DATABASE_USER")
    settings["PASSWORD"] = os.environ.get("DATABASE_PASSWORD", "")

    return settings


_LOCAL_DEFAULTS = {"DATABASE_HOST": "localhost", "DATABASE_USER": "haven"}


def _with_local_default(name: str) -> str:
    return os.environ.get(name, "").strip() or _LOCAL_DEFAULTS[name]
