"""/health/ stays 200 and fast while the database is down or silent."""

import json
import socket
import threading
import time

import pytest
from conftest import production_env
from servers import free_port, request
from site_servers import Gunicorn


@pytest.fixture
def silent_database():
    """Accepts connections and never answers, like a database that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.fixture(params=["closed port", "silent server"])
def unreachable_port(request, silent_database):
    return free_port() if request.param == "closed port" else silent_database


def test_health_reports_the_database_down_and_still_answers_200(
    servers_present, instance, unreachable_port
):
    env = production_env(host="127.0.0.1", port=unreachable_port, user="haven", password="x")
    server = Gunicorn(instance, env, workers=1, name=f"down-{unreachable_port}")
    server.start()
    try:
        started = time.monotonic()
        status, _, body = request(server.port, "/health/", {"Host": "10.0.11.23"})
        elapsed = time.monotonic() - started
    finally:
        server.stop()

    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "unavailable"}
    # DATABASE_CONNECT_TIMEOUT is 2 s; the ALB's check times out after 5 s.
    assert elapsed < 4
