"""The app in process, against the test database of the real PostgreSQL."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["10.0.11.23", "192.168.7.4:80", "testserver"])
def test_health_answers_whatever_the_host(client, host):
    response = client.get("/health/", HTTP_HOST=host)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_other_pages_still_validate_the_host(client):
    assert client.get("/", HTTP_HOST="10.0.11.23").status_code == 400
    assert client.get("/", HTTP_HOST="testserver").status_code == 200


def test_health_refuses_writes(client):
    assert client.post("/health/").status_code == 405
