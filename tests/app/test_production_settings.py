"""The production settings pass Django's deployment checks and refuse to
start without what each environment must provide."""

import os
import subprocess

import pytest
from conftest import production_env
from servers import APP, VENV


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "DB_"))
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")

    return subprocess.run(
        [VENV / "bin" / "python", "manage.py", *args],
        cwd=APP,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_check_deploy_finds_nothing():
    env = production_env(host="db.internal", user="haven", password="x")

    result = manage("check", "--deploy", "--fail-level", "DEBUG", **env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "variable", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "MEDIA_BUCKET", "DATABASE_HOST"]
)
def test_start_up_stops_naming_a_missing_variable(variable):
    env = production_env(host="db.internal", user="haven", password="x")
    del env[variable]

    result = manage("check", **env)

    assert result.returncode != 0
    assert f"Set the environment variable {variable}." in result.stderr


def test_secret_mode_needs_the_endpoint_parameter():
    env = production_env()
    env["DB_SECRET_ARN"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1"

    result = manage("check", **env)

    assert "Set the environment variable DB_ENDPOINT_PARAMETER." in result.stderr


def test_secret_mode_needs_no_aws_until_the_first_connection():
    env = production_env()
    env["DB_SECRET_ARN"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1"
    env["DB_ENDPOINT_PARAMETER"] = "/haven/test/database/endpoint"

    result = manage("check", "--deploy", "--fail-level", "DEBUG", **env)

    assert result.returncode == 0, result.stderr


def test_media_files_go_to_the_environment_bucket_under_media():
    env = production_env(host="db.internal", user="haven", password="x")
    show = (
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.location, s.default_acl, s.querystring_auth)"
    )

    result = manage("shell", "-v0", "-c", show, **env)

    assert result.stdout.split() == ["S3Storage", "haven-test-media", "media", "None", "True"]
