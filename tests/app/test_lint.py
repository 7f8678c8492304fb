"""The app's Python passes ruff and its Dockerfile passes hadolint."""

import subprocess

from servers import APP, REPO, VENV

RUFF = [VENV / "bin" / "ruff", "--config", APP / "pyproject.toml"]
PYTHON_TREES = [APP, REPO / "tests" / "app"]


def run(*command) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO)


def test_python_passes_ruff_lint():
    result = run(*RUFF, "check", "--no-cache", *PYTHON_TREES)

    assert result.returncode == 0, result.stdout


def test_python_is_formatted_by_ruff():
    result = run(*RUFF, "format", "--check", "--no-cache", *PYTHON_TREES)

    assert result.returncode == 0, result.stdout


def test_dockerfile_passes_hadolint():
    result = run(VENV / "bin" / "hadolint", APP / "Dockerfile")

    assert result.returncode == 0, result.stdout
