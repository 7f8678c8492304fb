#!/usr/bin/env bash
# Creates the project-local Python environment (.venv) with the pinned test
# bed tools, or refreshes it when requirements-dev.txt changed since.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$root/requirements-dev.txt" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

echo "haven: installing the Python test bed into .venv (moto, cfn-lint, sam)"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  -r "$root/requirements-dev.txt"
echo "$wanted" >"$stamp"
