"""app/deploy/migrate_once.py, which the bootstrap embeds, lets one
instance migrate at a time against a real PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from conftest import connect_kwargs, production_env
from servers import APP, VENV

RUNNER = APP / "deploy" / "migrate_once.py"
LOCK_KEY = 0x6861_7665_6E5F_6D67


@pytest.fixture
def database(postgres):
    """A fresh database, as a new environment's RDS instance has."""
    name = f"migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**connect_kwargs(postgres, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    return name


def runner_env(postgres, database: str, **extra) -> dict:
    env = production_env(
        host="127.0.0.1", port=postgres.port, user=postgres.user, password=postgres.password
    )
    env.update(
        DATABASE_NAME=database,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        HAVEN_MIGRATE_POLL_SECONDS="0.1",
        **extra,
    )

    return {"PATH": os.environ["PATH"], **env}


def start_runner(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [VENV / "bin" / "python", RUNNER], cwd=APP, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def wait_for(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the runners did not get there in time"
        time.sleep(0.05)


def hold_lock(postgres, database: str) -> psycopg.Connection:
    holder = psycopg.connect(**connect_kwargs(postgres, database), autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])

    return holder


def test_instances_wait_for_the_lock_and_then_migrate_in_turn(postgres, database, tmp_path):
    holder = hold_lock(postgres, database)
    logs = [tmp_path / f"instance-{n}.log" for n in (1, 2)]
    env = runner_env(postgres, database)
    runners = [start_runner(env, path.open("wb")) for path in logs]
    try:
        wait_for(lambda: all("another instance is migrating" in p.read_text() for p in logs))
        assert not any("holding the migration lock" in p.read_text() for p in logs)
    finally:
        holder.close()
    codes = [runner.wait(timeout=30) for runner in runners]

    output = [path.read_text() for path in logs]
    assert codes == [0, 0], output
    # The app has no models of its own yet, so migrate finds nothing to do.
    assert all("No migrations to apply." in text for text in output), output
    assert all("migrations are up to date" in text for text in output)


def test_a_holder_that_dies_releases_the_lock(postgres, database, tmp_path):
    holder = hold_lock(postgres, database)
    log = tmp_path / "instance.log"
    runner = start_runner(runner_env(postgres, database), log.open("wb"))
    wait_for(lambda: "another instance is migrating" in log.read_text())

    # No unlock: the session's end is what an instance that died looks like.
    holder.close()

    assert runner.wait(timeout=30) == 0, log.read_text()
    assert "holding the migration lock" in log.read_text()


def test_a_lock_held_past_the_bound_fails_the_boot(postgres, database, tmp_path):
    holder = hold_lock(postgres, database)
    log = tmp_path / "instance.log"
    try:
        env = runner_env(postgres, database, HAVEN_MIGRATE_WAIT_SECONDS="1")
        code = start_runner(env, log.open("wb")).wait(timeout=30)
    finally:
        holder.close()

    assert code != 0
    assert "held the lock over 1 s" in log.read_text()
    assert "Running migrations" not in log.read_text()


def test_the_runner_is_plain_python_the_bootstrap_can_embed():
    source = RUNNER.read_text()

    assert source.startswith('"""')
    assert "\nPYTHON\n" not in source
    assert sys.version_info >= (3, 10)
