"""Nginx in front of Gunicorn, as on an instance behind the ALB."""

import json
import re

import pytest
from conftest import PUBLIC_HOST
from servers import request

# What the ALB adds to a request it received over HTTPS.
VIA_ALB_HTTPS = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}
# An ALB health check: plain HTTP, the instance's private IP as Host.
HEALTH_CHECK = {"Host": "10.0.11.23"}


def test_health_check_with_instance_ip_answers_200_through_nginx(nginx):
    status, headers, body = request(nginx.port, "/health/", HEALTH_CHECK)

    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}
    assert "no-cache" in headers["Cache-Control"]


def test_home_page_over_https_answers_with_hsts(nginx):
    status, headers, body = request(nginx.port, "/", VIA_ALB_HTTPS)

    assert status == 200
    assert "environment <strong>test</strong>" in body
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_home_page_over_plain_http_redirects_to_https(nginx):
    status, headers, _ = request(nginx.port, "/", {"Host": PUBLIC_HOST})

    assert status == 301
    assert headers["Location"] == f"https://{PUBLIC_HOST}/"


def test_unknown_host_is_rejected(nginx):
    status, _, _ = request(nginx.port, "/", {**VIA_ALB_HTTPS, "Host": "attacker.example"})

    assert status == 400


def test_collected_static_files_are_served_by_nginx(nginx):
    _, _, page = request(nginx.port, "/", VIA_ALB_HTTPS)
    stylesheet = re.search(r'href="(/static/web/site\.[0-9a-f]+\.css)"', page).group(1)

    status, headers, body = request(nginx.port, stylesheet, VIA_ALB_HTTPS)

    assert status == 200
    assert headers["Content-Type"] == "text/css"
    assert "max-age=604800" in headers["Cache-Control"]
    assert "font-family" in body


@pytest.mark.parametrize("path", ["/metrics", "/metrics/", "/%6Detrics", "//metrics", "/metrics?x"])
def test_metrics_are_not_reachable_through_nginx(nginx, path):
    status, _, body = request(nginx.port, path, HEALTH_CHECK)

    assert status == 404
    assert "django_http" not in body


def test_metrics_answer_directly_on_gunicorn_port(gunicorn):
    status, headers, body = request(gunicorn.port, "/metrics", {"Host": "127.0.0.1:8000"})

    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert "django_http_requests_latency_including_middlewares_seconds_bucket" in body
