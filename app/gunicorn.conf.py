"""Gunicorn settings of the reference app, read by the systemd unit on EC2
and by the container image on EKS. GUNICORN_BIND and GUNICORN_WORKERS
override the defaults; METRICS_PORT adds a second address for scrapes."""

import glob
import os
import tempfile

wsgi_app = "config.wsgi:application"

# Loopback by default: on EC2 only Nginx talks to Gunicorn. The image binds
# 0.0.0.0 so that the pod's port answers.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# On EKS the pod's app port is behind a public load balancer, so the
# metrics get a port of their own on the same interface, which only the
# cluster reaches (the app then answers /metrics there alone). Unset on EC2,
# where Nginx keeps /metrics from the internet.
metrics_port = os.environ.get("METRICS_PORT", "").strip()
if metrics_port:
    host = bind[0].rpartition(":")[0]
    bind.append(f"{host}:{metrics_port}")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 30
graceful_timeout = 20

accesslog = "-"
# With the worker's pid, to see how requests spread over the workers.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'

# The metrics of all workers meet in this directory. It must exist before a
# worker imports prometheus_client and must start empty, or counters of an
# earlier run would be added in.
metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="haven-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir


def on_starting(server):
    os.makedirs(metrics_dir, mode=0o700, exist_ok=True)
    for stale in glob.glob(os.path.join(metrics_dir, "*.db")):
        os.remove(stale)
    # The workers inherit this and report CPU and memory of the whole tree.
    os.environ["HAVEN_METRICS_ROOT_PID"] = str(os.getpid())


def child_exit(server, worker):
    # Drops the dead worker's live gauges; its counters stay in the sums.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
