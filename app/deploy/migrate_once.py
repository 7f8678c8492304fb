"""Runs `manage.py migrate` on one instance of the group at a time.

Instances that boot together would otherwise race to apply the same
migrations. Each takes a PostgreSQL advisory lock on a connection of its
own before it migrates: the first applies the migrations, the others wait
and then find nothing left to apply. The database holds the lock for the
session that took it, so an instance that dies while migrating releases it
when its connection ends; no stale lock needs clearing.

Run it from the app's directory with the app's settings in the environment
(the bootstrap passes the instance's /etc/haven/app.env). Exits non-zero
when the lock or the database is out of reach for longer than the bound.
"""

import os
import sys
import time

# Any fixed 64-bit number names the lock; every instance must use this one.
LOCK_KEY = 0x6861_7665_6E5F_6D67
WAIT_SECONDS = int(os.environ.get("HAVEN_MIGRATE_WAIT_SECONDS", "600"))
POLL_SECONDS = float(os.environ.get("HAVEN_MIGRATE_POLL_SECONDS", "2"))


def log(message: str) -> None:
    print(f"haven-migrate: {message}", flush=True)


def lock_connection(connections, deadline: float):
    """A connection apart from the one migrate uses, retried while the
    database is still out of reach at boot."""
    from django.db import OperationalError

    while True:
        lock = connections.create_connection("default")
        try:
            lock.ensure_connection()
        except OperationalError as error:
            if time.monotonic() > deadline:
                raise
            log(f"database not reachable yet ({error.__class__.__name__}); retrying")
            time.sleep(POLL_SECONDS)
            continue

        return lock


def acquire(lock, deadline: float) -> None:
    waited = False
    while True:
        with lock.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            if cursor.fetchone()[0]:
                return
        if time.monotonic() > deadline:
            held = f"another instance held the lock over {WAIT_SECONDS} s"
            raise TimeoutError(held)
        if not waited:
            log("another instance is migrating; waiting for it to finish")
            waited = True
        time.sleep(POLL_SECONDS)


def main() -> int:
    sys.path.insert(0, os.getcwd())
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    deadline = time.monotonic() + WAIT_SECONDS
    lock = lock_connection(connections, deadline)
    try:
        acquire(lock, deadline)
        log("holding the migration lock")
        call_command("migrate", interactive=False, verbosity=1)
        with lock.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    finally:
        lock.close()
    log("migrations are up to date")

    return 0


if __name__ == "__main__":
    sys.exit(main())
