"""/metrics on Gunicorn's port sums all workers, and survives a dead one."""

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import PUBLIC_HOST
from metrics_text import names, scrape, total
from servers import request

HTTPS = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}
BY_METHOD = "django_http_requests_total_by_method_total"
BY_STATUS = "django_http_responses_total_by_status_total"
LATENCY_BUCKET = "django_http_requests_latency_including_middlewares_seconds_bucket"


def spread_requests(port: int, count: int) -> None:
    # Concurrent, so that several sync workers are busy at once.
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda _: request(port, "/", HTTPS)[0], range(count)))
    assert statuses == [200] * count


def test_metrics_count_the_requests_of_all_workers(gunicorn):
    before = scrape(gunicorn.port)

    spread_requests(gunicorn.port, 60)
    after = scrape(gunicorn.port)

    assert total(after, BY_METHOD, method="GET") - total(before, BY_METHOD, method="GET") == 60
    assert total(after, BY_STATUS, status="200") - total(before, BY_STATUS, status="200") == 60
    assert total(after, LATENCY_BUCKET, le="+Inf") - total(before, LATENCY_BUCKET, le="+Inf") >= 60
    served_by = set(re.findall(r'"GET / HTTP/1.1" 200 .* pid=<(\d+)>', gunicorn.log()))
    assert len(served_by) >= 2, "the requests should spread over several workers"


def test_process_series_cover_master_and_workers(gunicorn):
    samples = scrape(gunicorn.port)
    pids = {gunicorn.process.pid, *gunicorn.worker_pids()}
    resident = sum(resident_bytes(pid) for pid in pids)

    assert {"process_cpu_seconds_total", "process_resident_memory_bytes"} <= names(samples)
    assert total(samples, "process_cpu_seconds_total") > 0
    # Within a quarter of what /proc says now; a worker's memory moves a little.
    assert 0.75 < total(samples, "process_resident_memory_bytes") / resident < 1.25
    assert len(pids) == 4


def test_counters_and_cpu_do_not_drop_when_a_worker_dies(gunicorn):
    spread_requests(gunicorn.port, 12)
    before = scrape(gunicorn.port)
    victim = max(gunicorn.worker_pids())

    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in gunicorn.worker_pids())
    gunicorn.wait_for_workers()
    after = scrape(gunicorn.port)

    assert total(after, BY_METHOD, method="GET") == total(before, BY_METHOD, method="GET")
    assert total(after, "process_cpu_seconds_total") >= total(before, "process_cpu_seconds_total")


def resident_bytes(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


def wait_until(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "Gunicorn did not replace the worker in time"
        time.sleep(0.1)
