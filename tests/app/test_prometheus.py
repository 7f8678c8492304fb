"""Debian's Prometheus scrapes the app with the monitoring chart's
django-app-scraping job, and every query of the chart's Grafana dashboards
returns data.

Both charts are rendered with the helm binary haven deploys. Kubernetes
service discovery is the one part that cannot run on loopback: each
Gunicorn stands in for a pod, run as the chart runs it (the app's port and
METRICS_PORT), and discovery's output for that pod becomes static targets:
one per container port, each carrying the meta labels Kubernetes would
attach (annotations, labels, namespace, name, phase, port). The chart's
relabelling then runs unchanged: it keeps the annotated running pods, takes
the path and the metrics port from the annotations, which makes the two
targets of a pod one, and attaches namespace, pod and release. Requests go
to the app's port, scrapes to the metrics port."""

import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from conftest import PUBLIC_HOST, production_env
from servers import free_port, request, shared_dir, wait_for_port
from site_servers import Gunicorn
from tools import CHARTS, helm_binary, helm_template, require

DASHBOARDS = CHARTS / "monitoring" / "files" / "dashboards"
JOB = "django-app-scraping"
NAMESPACE = "django-app"
HTTPS = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}


def dashboard_queries() -> list[tuple[str, str, str]]:
    """(dashboard, panel title, expression) of every panel target."""
    return [
        (path.name, panel["title"], target["expr"])
        for path in sorted(DASHBOARDS.glob("*.json"))
        for panel in json.loads(path.read_text())["panels"]
        for target in panel.get("targets", [])
    ]


def chart_job(helm) -> dict:
    """The chart's django-app-scraping job, scraping every second."""
    manifests = helm_template(
        helm, "monitoring", "--set", "scrape.interval=1s", "--set", "scrape.timeout=1s"
    )
    config_map = next(
        m for m in manifests if m["kind"] == "ConfigMap" and "prometheus.yml" in m.get("data", {})
    )
    config = yaml.safe_load(config_map["data"]["prometheus.yml"])
    job = next(job for job in config["scrape_configs"] if job["job_name"] == JOB)

    return config["global"], job


def discovered_targets(helm, server: Gunicorn, name: str) -> list[dict]:
    """What Kubernetes discovery makes of a django-app pod run as `server`:
    one target per container port, on the pod's address (here loopback)."""
    manifests = helm_template(
        helm,
        "django-app",
        "--values",
        str(CHARTS / "django-app" / "ci" / "default-values.yaml"),
        "--set",
        f"containerPort={server.port}",
        "--set",
        f"metrics.port={server.metrics_port}",
    )
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    metadata = deployment["spec"]["template"]["metadata"]
    labels = {
        "__meta_kubernetes_namespace": NAMESPACE,
        "__meta_kubernetes_pod_name": name,
        "__meta_kubernetes_pod_phase": "Running",
    }
    for kind, values in (("annotation", metadata["annotations"]), ("label", metadata["labels"])):
        for key, value in values.items():
            labels[f"__meta_kubernetes_pod_{kind}_{re.sub(r'[^a-zA-Z0-9_]', '_', key)}"] = value
    ports = deployment["spec"]["template"]["spec"]["containers"][0]["ports"]

    return [
        {
            "targets": [f"127.0.0.1:{port['containerPort']}"],
            "labels": {
                **labels,
                "__meta_kubernetes_pod_container_port_name": port["name"],
                "__meta_kubernetes_pod_container_port_number": str(port["containerPort"]),
            },
        }
        for port in ports
    ]


class Prometheus:
    def __init__(self, binary: str, workdir, config: dict):
        self.dir = shared_dir(workdir, f"prometheus-{free_port()}")
        self.port = free_port()
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.binary = binary
        self.process = None

    def start(self) -> None:
        with open(self.dir / "log", "wb") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    f"--config.file={self.dir / 'prometheus.yml'}",
                    f"--storage.tsdb.path={self.dir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, timeout=15, process=self.process)
        # The port opens before the storage is ready; the API answers 503
        # until then.
        wait_until(self.ready, 15, "Prometheus is not ready:\n" + self.log())

    def ready(self) -> bool:
        status, _, _ = request(self.port, "/-/ready")

        return status == 200

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)

    def api(self, path: str, **params) -> dict:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            body = json.load(response)
        assert body["status"] == "success", body

        return body["data"]

    def query(self, expr: str) -> list[dict]:
        return self.api("query", query=expr)["result"]

    def log(self) -> str:
        return (self.dir / "log").read_text(errors="replace")


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} after {timeout} s"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def failing_gunicorn(servers_present, instance, postgres, workdir):
    """A second pod whose home page fails: its static files were never
    collected, so rendering the page raises and Django answers 500."""
    env = production_env(
        host="127.0.0.1", port=postgres.port, user=postgres.user, password=postgres.password
    )
    env["DJANGO_STATIC_ROOT"] = str(shared_dir(workdir, "uncollected-static"))
    server = Gunicorn(instance, env, workers=2, name="failing", metrics_port=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prometheus(servers_present, pod_gunicorn, failing_gunicorn, workdir, tmp_path_factory):
    binary = require("prometheus", "Debian package prometheus; tests/app/install-servers.sh")
    helm = helm_binary(tmp_path_factory.mktemp("helm"))
    global_config, job = chart_job(helm)
    job.pop("kubernetes_sd_configs")
    job["static_configs"] = [
        target
        for server, name in (
            (pod_gunicorn, "django-app-7d9f-a1"),
            (failing_gunicorn, "django-app-7d9f-b2"),
        )
        for target in discovered_targets(helm, server, name)
    ]
    # A counter's first sample is its baseline for rate(): the series, 500s
    # included, must exist before the first scrape.
    burst(pod_gunicorn.port, 3)
    burst(failing_gunicorn.port, 3)
    server = Prometheus(binary, workdir, {"global": global_config, "scrape_configs": [job]})
    server.start()
    yield server
    server.stop()


def targets_up(prometheus) -> bool:
    active = prometheus.api("targets", state="active")["activeTargets"]

    return len(active) == 2 and all(t["health"] == "up" for t in active)


def burst(port: int, count: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _: request(port, "/", HTTPS)[0], range(count)))


@pytest.fixture(scope="module")
def scraped_burst(prometheus, pod_gunicorn, failing_gunicorn):
    wait_until(lambda: targets_up(prometheus), 10, "the targets are not up:\n" + prometheus.log())
    # A counter series exists from its first request on, and rate() needs a
    # sample of it from before the burst: one request each, then a few
    # scrapes, so that neither status is missing from the error share.
    burst(pod_gunicorn.port, 1)
    burst(failing_gunicorn.port, 1)
    time.sleep(3)
    statuses = burst(pod_gunicorn.port, 60) + burst(failing_gunicorn.port, 20)
    assert sorted(set(statuses)) == [200, 500]

    # rate() needs a sample before the burst and one after: wait for every
    # dashboard query to show it, a few scrape intervals at most.
    def all_answer() -> bool:
        return all(positive(prometheus.query(expr)) for _, _, expr in dashboard_queries())

    wait_until(all_answer, 15, "some dashboard queries returned no data")

    return prometheus


def positive(result: list[dict]) -> bool:
    return bool(result) and all(float(sample["value"][1]) > 0 for sample in result)


def test_relabelling_attaches_job_namespace_and_pod(prometheus, scraped_burst):
    labels = [t["labels"] for t in prometheus.api("targets", state="active")["activeTargets"]]

    assert sorted(label["pod"] for label in labels) == ["django-app-7d9f-a1", "django-app-7d9f-b2"]
    assert {(label["job"], label["namespace"], label["release"]) for label in labels} == {
        (JOB, NAMESPACE, "django-app")
    }


def test_each_pod_is_scraped_once_on_its_metrics_port(
    prometheus, scraped_burst, pod_gunicorn, failing_gunicorn
):
    active = prometheus.api("targets", state="active")["activeTargets"]
    dropped = prometheus.api("targets", state="dropped")["droppedTargets"]

    # Discovery gives two targets per pod; the annotation's port makes them
    # one, and Prometheus keeps one of targets with identical labels.
    assert sorted(t["scrapeUrl"] for t in active) == sorted(
        f"http://127.0.0.1:{server.metrics_port}/metrics"
        for server in (pod_gunicorn, failing_gunicorn)
    )
    assert dropped == []
    # The port the public Service reaches refuses the scrape.
    assert request(pod_gunicorn.port, "/metrics", HTTPS)[0] == 404


def test_dashboards_hold_the_six_reference_panels():
    assert len(dashboard_queries()) == 6


@pytest.mark.parametrize(
    "dashboard, panel, expr",
    dashboard_queries(),
    ids=[f"{d}:{p}" for d, p, _ in dashboard_queries()],
)
def test_every_dashboard_query_returns_data(scraped_burst, dashboard, panel, expr):
    result = scraped_burst.query(expr)

    assert result, f"{dashboard} panel {panel!r} has no data: {expr}"
    assert positive(result), result


def test_error_share_counts_the_failing_pods_500s(scraped_burst):
    expr = next(e for _, _, e in dashboard_queries() if 'status=~"5.."' in e)

    share = float(scraped_burst.query(expr)[0]["value"][1])

    # 21 of the 82 requests failed. rate() extrapolates each series from
    # its own first and last samples, so the share moves with the scrape
    # timing; strictly between 0 and 100 shows both statuses are counted.
    assert 0 < share < 100
