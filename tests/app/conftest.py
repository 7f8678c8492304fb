"""Fixtures that start the servers once per test session."""

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
from servers import APP, VENV, Postgres, missing_servers
from site_servers import Gunicorn, InstanceTree, Nginx

# The name the environment is served under; anything else is a bad Host.
PUBLIC_HOST = "haven.example.test"


@pytest.fixture(scope="session")
def workdir():
    # Not pytest's tmp_path: its parents are private to the current user,
    # and the postgres user and Nginx workers must enter this directory.
    path = Path(tempfile.mkdtemp(prefix="haven-app-tests-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def servers_present():
    missing = missing_servers()
    if missing:
        message = (
            f"missing on this machine: {'; '.join(missing)}. "
            "Install them with `bash tests/app/install-servers.sh` as root."
        )
        # CI must prove the serving part; only a developer's machine may skip.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def postgres(servers_present, workdir):
    server = Postgres(workdir)
    server.start()
    with psycopg.connect(**connect_kwargs(server, "postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE haven")
    yield server
    server.stop()


def connect_kwargs(server: Postgres, dbname: str) -> dict:
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "user": server.user,
        "password": server.password,
        "dbname": dbname,
    }


@pytest.fixture(scope="session")
def django_db_modify_db_settings(postgres):
    # pytest-django calls this before it creates the test database.
    from django.conf import settings

    settings.DATABASES["default"].update(
        HOST="127.0.0.1", PORT=str(postgres.port), USER=postgres.user, PASSWORD=postgres.password
    )


def production_env(**database) -> dict:
    """What the bootstrap writes into /etc/haven/app.env, without AWS."""
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
        "MEDIA_BUCKET": "haven-test-media",
        "AWS_REGION": "eu-west-1",
        "HAVEN_ENVIRONMENT": "test",
        "DATABASE_NAME": "haven",
        "DATABASE_CONNECT_TIMEOUT": "2",
    }
    env.update({f"DATABASE_{key.upper()}": str(value) for key, value in database.items()})

    return env


@pytest.fixture(scope="session")
def instance(workdir):
    tree = InstanceTree(workdir / "opt-haven")
    # As the bootstrap does: collect static files without the database.
    subprocess.run(
        [VENV / "bin" / "python", "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=APP,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.build",
            "DJANGO_STATIC_ROOT": str(tree.root / "static"),
        },
        check=True,
    )

    return tree


@pytest.fixture(scope="session")
def gunicorn(instance, postgres):
    env = production_env(
        host="127.0.0.1", port=postgres.port, user=postgres.user, password=postgres.password
    )
    server = Gunicorn(instance, env)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pod_gunicorn(instance, postgres):
    """Gunicorn as a pod of the django-app chart runs it: the app's port, which
    the public Service reaches, and METRICS_PORT for Prometheus."""
    env = production_env(
        host="127.0.0.1", port=postgres.port, user=postgres.user, password=postgres.password
    )
    server = Gunicorn(instance, env, workers=2, name="pod", metrics_port=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nginx(instance, gunicorn):
    server = Nginx(instance, gunicorn.port)
    server.start()
    yield server
    server.stop()
