"""Prometheus metrics of all Gunicorn workers in one scrape.

Every worker counts requests into files under PROMETHEUS_MULTIPROC_DIR and
the worker that answers a scrape sums them. Multiprocess mode has no process
collector, because a worker only knows itself; ProcessTreeCollector reads
/proc for the Gunicorn master and its workers instead, so CPU and memory
cover the whole server.
"""

import os

from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

# Set by gunicorn.conf.py in the master before it forks the workers.
ROOT_PID_VARIABLE = "HAVEN_METRICS_ROOT_PID"
# The second port Gunicorn binds for scrapes (on EKS); unset on EC2.
METRICS_PORT_VARIABLE = "METRICS_PORT"

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def metrics_view(request):
    # With a metrics port, the app's own port never answers a scrape: on EKS
    # that port is the one the public load balancer reaches.
    if metrics_port() and not on_metrics_port(request):
        return HttpResponseNotFound()
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(ProcessTreeCollector(root_pid()))
    else:
        registry = REGISTRY

    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def metrics_port() -> str:
    """The port that alone answers /metrics, or "" when every port does."""
    return os.environ.get(METRICS_PORT_VARIABLE, "").strip()


def on_metrics_port(request) -> bool:
    """Whether the request came in on the metrics port.

    Gunicorn sets SERVER_PORT from the address of the socket that accepted
    the connection, not from the Host header, so a client cannot pick it.
    """
    port = metrics_port()

    return bool(port) and request.META.get("SERVER_PORT") == port


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def root_pid() -> int:
    return int(os.environ.get(ROOT_PID_VARIABLE) or os.getpid())


class ProcessTreeCollector:
    """CPU and resident memory of a process and its live children.

    CPU counts the root's own time, the time of children it has reaped
    (cutime, cstime) and that of live children. A worker that dies moves its
    time into the master's reaped share, so the counter never goes down when
    Gunicorn replaces a worker. Memory sums resident set sizes, which counts
    pages that the workers share with the master once per process.
    """

    def __init__(self, pid: int):
        self.pid = pid

    def collect(self):
        cpu = CounterMetricFamily(
            "process_cpu_seconds", "User and system CPU time of the master and its workers."
        )
        memory = GaugeMetricFamily(
            "process_resident_memory_bytes", "Resident memory of the master and its workers."
        )
        processes = [stat for stat in _all_stats() if stat.pid == self.pid or stat.ppid == self.pid]
        cpu.add_metric([], sum(stat.cpu_seconds for stat in processes))
        memory.add_metric([], sum(stat.resident_bytes for stat in processes))

        yield cpu
        yield memory


class _Stat:
    """The fields of /proc/PID/stat that the collector needs."""

    def __init__(self, pid: int, text: str):
        # The command name may hold spaces and parentheses; the fields after
        # it start behind the last ')', at field 3 (state) of proc(5).
        fields = text[text.rindex(")") + 2 :].split()
        self.pid = pid
        self.ppid = int(fields[1])
        utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
        self.cpu_seconds = (utime + stime + cutime + cstime) / _TICKS_PER_SECOND
        self.resident_bytes = int(fields[21]) * _PAGE_SIZE


def _all_stats():
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat_file:
                text = stat_file.read()
        except OSError:
            # The process ended between listing and reading.
            continue
        yield _Stat(int(entry), text)
