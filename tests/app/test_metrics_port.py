"""With METRICS_PORT, as on EKS, only the metrics port answers /metrics.

The django-app chart's public Service reaches the app's port and nothing
else; these tests prove that this port refuses a scrape however the request
is dressed, and that the metrics port serves the metric families and no
page of the app."""

import pytest
from conftest import PUBLIC_HOST
from metrics_text import names, scrape
from servers import request

HTTPS = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}
FAMILIES = {
    "django_http_requests_total_by_method_total",
    "django_http_responses_total_by_status_total",
    "django_http_requests_latency_including_middlewares_seconds_bucket",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
}


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "10.0.11.23"},
        HTTPS,
        # The Host header and a forwarded port must not open the door.
        {"Host": "127.0.0.1:9100", "X-Forwarded-Port": "9100"},
    ],
    ids=["pod-ip", "public-name", "spoofed-port"],
)
def test_public_port_answers_404_for_metrics(pod_gunicorn, headers):
    status, _, body = request(pod_gunicorn.port, "/metrics", headers)

    assert status == 404
    assert "django_http" not in body


def test_public_port_still_serves_the_app_and_health(pod_gunicorn):
    assert request(pod_gunicorn.port, "/", HTTPS)[0] == 200
    assert request(pod_gunicorn.port, "/health/", {"Host": "10.0.11.23"})[0] == 200


def test_metrics_port_returns_the_metric_families(pod_gunicorn):
    assert request(pod_gunicorn.port, "/", HTTPS)[0] == 200

    samples = scrape(pod_gunicorn.metrics_port)

    assert names(samples) >= FAMILIES


@pytest.mark.parametrize("path", ["/", "/health/", "/static/web/", "/metrics/"])
def test_metrics_port_serves_nothing_else(pod_gunicorn, path):
    status, _, body = request(pod_gunicorn.metrics_port, path, HTTPS)

    assert status == 404
    assert "environment" not in body


def test_without_metrics_port_the_app_port_answers_metrics(gunicorn):
    # EC2: Nginx refuses /metrics and scrapes come to 127.0.0.1:8000.
    assert gunicorn.metrics_port is None
    assert request(gunicorn.port, "/", HTTPS)[0] == 200
    assert names(scrape(gunicorn.port)) >= FAMILIES
