"""promtool, from Debian's prometheus package, accepts what the monitoring
chart gives Prometheus: the configuration and the alert rules as rendered
by the helm binary haven deploys, for the defaults and every install
scenario; the alerts fire when and only when they should; and every query
of the Grafana dashboards parses.

These tests live here rather than beside the chart tests in jest: promtool
is a Debian package that tests/app/install-servers.sh installs, and these
tests share its skip-or-fail rule (tools.require) with the other tools of
the app tests."""

import json
import subprocess

import pytest
import yaml
from tools import CHARTS, helm_binary, helm_template, require

MONITORING = CHARTS / "monitoring"
DASHBOARDS = MONITORING / "files" / "dashboards"
RULES_DIR = "/etc/prometheus-rules/"
SCENARIOS = [None, *sorted(path.name for path in (MONITORING / "ci").glob("*-values.yaml"))]


@pytest.fixture(scope="module")
def promtool():
    return require("promtool", "Debian package prometheus; tests/app/install-servers.sh")


@pytest.fixture(scope="module")
def helm(tmp_path_factory):
    return helm_binary(tmp_path_factory.mktemp("helm"))


def run_promtool(promtool, *args, cwd=None) -> str:
    done = subprocess.run(
        [promtool, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output

    return output


def rendered_files(helm, scenario: str | None) -> dict[str, str]:
    """prometheus.yml and the rule files, from the chart's ConfigMaps."""
    args = ["--values", str(MONITORING / "ci" / scenario)] if scenario else []
    files = {}
    for manifest in helm_template(helm, "monitoring", *args):
        if manifest["kind"] == "ConfigMap" and manifest["metadata"]["name"].startswith(
            "monitoring-prometheus"
        ):
            files.update(manifest["data"])

    return files


def without_kubernetes_discovery(config_text: str) -> tuple[str, int]:
    """The configuration with each kubernetes_sd_configs block replaced by
    an empty static target list, and how many blocks were replaced.

    Debian builds Prometheus without Kubernetes discovery, so its promtool
    rejects that block as an unknown field; everything else of the job (its
    relabelling in particular) is still checked. The block itself is only
    checked for shape, by the chart tests in jest."""
    config = yaml.safe_load(config_text)
    replaced = 0
    for job in config["scrape_configs"]:
        if "kubernetes_sd_configs" in job:
            del job["kubernetes_sd_configs"]
            job["static_configs"] = [{"targets": []}]
            replaced += 1

    return yaml.safe_dump(config, sort_keys=False), replaced


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s or "defaults")
def test_check_config_accepts_the_rendered_configuration(promtool, helm, tmp_path, scenario):
    files = rendered_files(helm, scenario)
    # The rule files in a folder of their own, as the pod mounts them.
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for name, text in files.items():
        if name != "prometheus.yml":
            (rules_dir / name).write_text(text)
    config = files["prometheus.yml"].replace(RULES_DIR, f"{rules_dir}/")
    config, replaced = without_kubernetes_discovery(config)
    (tmp_path / "prometheus.yml").write_text(config)
    assert replaced == 1

    output = run_promtool(promtool, "check", "config", tmp_path / "prometheus.yml")

    assert "SUCCESS" in output
    if "alerts.yml" in files:
        # check config also loaded the rule files that rule_files names.
        assert "SUCCESS: 2 rules found" in output


def test_check_rules_accepts_the_rendered_alert_rules(promtool, helm, tmp_path):
    (tmp_path / "alerts.yml").write_text(rendered_files(helm, None)["alerts.yml"])

    output = run_promtool(promtool, "check", "rules", tmp_path / "alerts.yml")

    assert "SUCCESS: 2 rules found" in output


def test_alerts_fire_when_and_only_when_they_should(promtool, helm, tmp_path):
    (tmp_path / "alerts.yml").write_text(rendered_files(helm, None)["alerts.yml"])
    (tmp_path / "alerts_test.yml").write_text(yaml.safe_dump(ALERT_TESTS, sort_keys=False))

    run_promtool(promtool, "test", "rules", "alerts_test.yml", cwd=tmp_path)


def responses(pod: str, status: str, per_minute: int) -> dict:
    return {
        "series": (
            "django_http_responses_total_by_status_total"
            f'{{job="django-app-scraping",namespace="django-app",pod="{pod}",status="{status}"}}'
        ),
        "values": f"0+{per_minute}x30",
    }


def up(pod: str, values: str) -> dict:
    return {
        "series": (
            'up{job="django-app-scraping",namespace="django-app",'
            f'pod="{pod}",instance="10.0.11.{len(pod)}:9100"}}'
        ),
        "values": values,
    }


# One sample a minute. Pod a answers 100 requests a minute, 10 of them
# failing (10 %); pod b answers 100, 1 failing (1 %). Each pod alone, and
# both together (5.5 %), against the 5 % threshold held for 5 minutes.
ALERT_TESTS = {
    "rule_files": ["alerts.yml"],
    "evaluation_interval": "1m",
    "tests": [
        {
            "interval": "1m",
            "input_series": [
                responses("a", "200", 90),
                responses("a", "500", 10),
                responses("b", "200", 99),
                responses("b", "503", 1),
            ],
            "alert_rule_test": [
                # rate() needs two samples, then the share must hold 5 m.
                {"eval_time": "5m", "alertname": "DjangoAppHighErrorRate", "exp_alerts": []},
                {
                    "eval_time": "10m",
                    "alertname": "DjangoAppHighErrorRate",
                    "exp_alerts": [
                        {
                            "exp_labels": {"severity": "critical", "namespace": "django-app"},
                            "exp_annotations": {
                                "summary": (
                                    "More than 5 % of the responses of the Django app in"
                                    " django-app are server errors"
                                ),
                                "description": (
                                    "5.5% of the responses in the last 5 minutes had a 5xx"
                                    " status, for 5m or longer. Look at the app's logs:"
                                    " kubectl -n django-app logs -l"
                                    " app.kubernetes.io/component=web"
                                ),
                            },
                        }
                    ],
                },
            ],
        },
        {
            "interval": "1m",
            "input_series": [responses("b", "200", 99), responses("b", "503", 1)],
            "alert_rule_test": [
                {"eval_time": "20m", "alertname": "DjangoAppHighErrorRate", "exp_alerts": []}
            ],
        },
        {
            # A quiet app: no requests, no share, no alert.
            "interval": "1m",
            "input_series": [responses("a", "200", 0), responses("a", "500", 0)],
            "alert_rule_test": [
                {"eval_time": "20m", "alertname": "DjangoAppHighErrorRate", "exp_alerts": []}
            ],
        },
        {
            # Pod a stops answering at minute 3; pod b answers throughout.
            "interval": "1m",
            "input_series": [up("a", "1 1 1 0 0 0 0 0"), up("b", "1x7")],
            "alert_rule_test": [
                {"eval_time": "4m", "alertname": "DjangoAppTargetDown", "exp_alerts": []},
                {
                    "eval_time": "5m",
                    "alertname": "DjangoAppTargetDown",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "job": "django-app-scraping",
                                "namespace": "django-app",
                                "pod": "a",
                                "instance": "10.0.11.1:9100",
                            },
                            "exp_annotations": {
                                "summary": (
                                    "Pod a in django-app does not answer Prometheus' scrapes"
                                ),
                                "description": (
                                    "Scrapes of 10.0.11.1:9100 have failed for 2m or longer:"
                                    " the pod is stuck, out of memory, or its metrics port"
                                    " does not answer. See kubectl -n django-app describe"
                                    " pod a"
                                ),
                            },
                        }
                    ],
                },
            ],
        },
    ],
}


def dashboard_queries() -> list[tuple[str, str, str]]:
    return [
        (path.name, panel["title"], target["expr"])
        for path in sorted(DASHBOARDS.glob("*.json"))
        for panel in json.loads(path.read_text())["panels"]
        for target in panel.get("targets", [])
    ]


def test_every_dashboard_query_parses(promtool, tmp_path):
    # promtool parses PromQL without a server only inside rule files: one
    # recording rule per panel query.
    queries = dashboard_queries()
    rules = {
        "groups": [
            {
                "name": "dashboards",
                "rules": [
                    {"record": f"dashboard:query_{index}", "expr": expr}
                    for index, (_, _, expr) in enumerate(queries)
                ],
            }
        ]
    }
    (tmp_path / "dashboards.yml").write_text(yaml.safe_dump(rules))

    output = run_promtool(promtool, "check", "rules", tmp_path / "dashboards.yml")

    assert len(queries) == 6
    assert f"SUCCESS: {len(queries)} rules found" in output
