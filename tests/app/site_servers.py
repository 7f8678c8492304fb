"""The serving part as an instance runs it: Gunicorn started from the
systemd unit in app/deploy and Nginx with the site from app/deploy.

Both files name the instance's layout under /opt/haven and /run; the tests
build that layout in a temporary directory and rewrite only those paths and
the ports, so the command line, environment and Nginx locations under test
are the ones the bootstrap installs."""

import os
import signal
import subprocess
import time
from pathlib import Path

from servers import APP, GUNICORN_UNIT, NGINX_SITE, VENV, free_port, nginx_bin, wait_for_port


class InstanceTree:
    """/opt/haven of an instance: app, venv, static and a run directory."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(mode=0o755)
        (root / "app").symlink_to(APP)
        (root / "venv").symlink_to(VENV)
        (root / "run").mkdir(mode=0o755)

    def localise(self, text: str) -> str:
        return text.replace("/opt/haven", str(self.root)).replace("/run/", f"{self.root}/run/")


class Gunicorn:
    """Gunicorn as the unit starts it. With metrics_port, it also binds a
    second port for scrapes, as the django-app chart's pods do."""

    def __init__(
        self,
        tree: InstanceTree,
        env: dict,
        workers: int = 3,
        name: str = "gunicorn",
        metrics_port: bool = False,
    ):
        self.tree = tree
        self.port = free_port()
        self.metrics_port = free_port() if metrics_port else None
        self.log_path = tree.root / f"{name}.log"
        unit = read_unit(GUNICORN_UNIT)
        self.argv = tree.localise(unit["ExecStart"][0]).split()
        self.cwd = tree.localise(unit["WorkingDirectory"][0])
        self.env = dict(os.environ)
        for assignment in unit["Environment"]:
            key, _, value = tree.localise(assignment).partition("=")
            self.env[key] = value
        # A second Gunicorn of the same tree gets its own metrics directory.
        self.env["PROMETHEUS_MULTIPROC_DIR"] += f"-{name}"
        self.env.update(env, GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_WORKERS=str(workers))
        if self.metrics_port is not None:
            self.env["METRICS_PORT"] = str(self.metrics_port)
        self.workers = workers
        self.process = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for_port(self.port, timeout=30, process=self.process)
        if self.metrics_port is not None:
            wait_for_port(self.metrics_port, timeout=30, process=self.process)
        self.wait_for_workers()

    def wait_for_workers(self, timeout: float = 30) -> None:
        """Waits until every worker has loaded the app.

        The master listens before its workers are ready; a worker that has
        imported the app has created its metrics file.
        """
        metrics = Path(self.env["PROMETHEUS_MULTIPROC_DIR"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == self.workers and all(
                (metrics / f"counter_{pid}.db").exists() for pid in pids
            ):
                return
            time.sleep(0.05)
        raise TimeoutError(f"Gunicorn's workers are not ready after {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")

        return {int(pid) for pid in children.read_text().split()}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class Nginx:
    def __init__(self, tree: InstanceTree, upstream_port: int):
        self.prefix = tree.root / "nginx"
        self.prefix.mkdir(mode=0o755)
        self.port = free_port()
        site = tree.localise(NGINX_SITE.read_text())
        site = _replace_once(site, "listen 80 ", f"listen 127.0.0.1:{self.port} ")
        site = _replace_once(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        (self.prefix / "site.conf").write_text(site)
        (self.prefix / "nginx.conf").write_text(self._main_config())
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [nginx_bin(), "-p", str(self.prefix), "-e", "error.log", "-c", "nginx.conf"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, timeout=10, process=self.process)

    def stop(self) -> None:
        # SIGQUIT lets Nginx finish open requests and exit.
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=10)

    def _main_config(self) -> str:
        # As root, workers need a user that exists on Debian.
        user = "user www-data;" if os.geteuid() == 0 else ""
        temp = "\n".join(
            f"  {kind}_temp_path {self.prefix}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )

        return f"""daemon off;
{user}
worker_processes 2;
pid {self.prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {self.prefix}/access.log;
{temp}
  include {self.prefix}/site.conf;
}}
"""


def read_unit(path: Path) -> dict[str, list[str]]:
    """Key=value lines of a systemd unit, every value of a key in order."""
    entries: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "[")):
            continue
        key, _, value = line.partition("=")
        entries.setdefault(key, []).append(value)

    return entries


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"the Nginx site should hold {old!r} exactly once")

    return text.replace(old, new)
