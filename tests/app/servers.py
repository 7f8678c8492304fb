"""Throwaway servers for the app tests: PostgreSQL, Gunicorn and Nginx on
free loopback ports, each in its own temporary directory."""

import glob
import http.client
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app"
VENV = REPO / ".venv-app"
NGINX_SITE = APP / "deploy" / "nginx-site.conf"
GUNICORN_UNIT = APP / "deploy" / "gunicorn.service"


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def nginx_bin() -> str | None:
    # Debian installs it in /usr/sbin, which a non-root PATH often lacks.
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def missing_servers() -> list[str]:
    """Names what this machine lacks to run the servers, for the message."""
    missing = []
    if postgres_bin() is None:
        missing.append("PostgreSQL (initdb, pg_ctl under /usr/lib/postgresql/*/bin)")
    if nginx_bin() is None:
        missing.append("nginx")
    if os.geteuid() == 0 and not _user_exists("postgres"):
        missing.append("the postgres user, which runs PostgreSQL when the tests run as root")

    return missing


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False

    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))

        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def request(port: int, path: str, headers: dict | None = None, timeout: float = 10):
    """GET without following redirects; returns (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()

        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def shared_dir(parent: Path, name: str) -> Path:
    """A directory that the postgres user and Nginx workers may enter."""
    path = parent / name
    path.mkdir(mode=0o755)
    path.chmod(0o755)

    return path


class Postgres:
    """A PostgreSQL cluster with password (SCRAM) authentication."""

    user = "haven"
    password = "haven-test-only-password"

    def __init__(self, workdir: Path):
        self.bin = postgres_bin()
        self.dir = shared_dir(workdir, "postgres")
        self.data = self.dir / "data"
        self.port = free_port()

    def start(self) -> None:
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password)
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root.
            shutil.chown(self.dir, "postgres")
            shutil.chown(pwfile, "postgres")
        self._run(
            "initdb", f"--pgdata={self.data}", f"--username={self.user}",
            f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.dir / "log", "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def log(self) -> str:
        return (self.dir / "log").read_text(errors="replace")

    def _run(self, tool: str, *args) -> None:
        command = [str(self.bin / tool), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")
