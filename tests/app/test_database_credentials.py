"""Credentials from Secrets Manager and the endpoint from SSM, with a real
PostgreSQL whose password is rotated under the app's feet."""

import json

import psycopg
import pytest
from conftest import connect_kwargs
from django.db.utils import ConnectionHandler

from web import aws_credentials

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1a2b3c"
ENDPOINT_PARAMETER = "/haven/test/database/endpoint"


class FakeAws:
    """Answers the two calls the app makes, and counts them."""

    def __init__(self, endpoint: str, username: str, password: str):
        self.endpoint = endpoint
        self.secret = {"username": username, "password": password}
        self.calls = []

    def client(self, service: str, region: str):
        assert region == "eu-west-1"
        return self

    def get_secret_value(self, SecretId):
        self.calls.append(("get_secret_value", SecretId))
        return {"SecretString": json.dumps(self.secret)}

    def get_parameter(self, Name):
        self.calls.append(("get_parameter", Name))
        return {"Parameter": {"Value": self.endpoint}}


@pytest.fixture(autouse=True)
def own_connections(django_db_blocker):
    # These tests open their own connections, outside the test database.
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def rotating_role(postgres):
    role = "haven_rotating"
    with psycopg.connect(**connect_kwargs(postgres, "postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'first-password'")
        yield role, admin
        admin.execute(f"DROP ROLE {role}")


@pytest.fixture
def fake_aws(monkeypatch, postgres, rotating_role):
    fake = FakeAws(f"127.0.0.1:{postgres.port}", rotating_role[0], "first-password")
    monkeypatch.setattr(aws_credentials, "client", fake.client)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setattr(aws_credentials, "_sources", {})

    return fake


def connect_through_secret():
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "web.db",
                "NAME": "postgres",
                "SECRET_ARN": SECRET_ARN,
                "ENDPOINT_PARAMETER": ENDPOINT_PARAMETER,
            }
        }
    )
    connection = handler["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        user = cursor.fetchone()[0]
    connection.close()

    return user


def test_connects_with_the_secret_and_the_endpoint_parameter(fake_aws):
    assert connect_through_secret() == "haven_rotating"
    assert fake_aws.calls == [
        ("get_parameter", ENDPOINT_PARAMETER),
        ("get_secret_value", SECRET_ARN),
    ]


def test_reuses_the_cached_secret_for_new_connections(fake_aws):
    connect_through_secret()
    connect_through_secret()

    assert [call[0] for call in fake_aws.calls].count("get_secret_value") == 1


def test_reads_the_secret_again_after_rds_rotates_it(fake_aws, rotating_role):
    role, admin = rotating_role
    connect_through_secret()
    admin.execute(f"ALTER ROLE {role} PASSWORD 'second-password'")
    fake_aws.secret["password"] = "second-password"

    assert connect_through_secret() == role
    assert [call[0] for call in fake_aws.calls].count("get_secret_value") == 2


def test_wrong_secret_still_fails_after_one_refresh(fake_aws):
    fake_aws.secret["password"] = "never-the-password"

    with pytest.raises(Exception, match="password authentication failed"):
        connect_through_secret()
    assert [call[0] for call in fake_aws.calls].count("get_secret_value") == 2
