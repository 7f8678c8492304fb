#!/usr/bin/env bash
# Creates the project-local Python environment of checkov (.venv-checkov),
# or refreshes it when requirements-checkov.txt changed since. Apart from
# .venv because checkov's boto3 pin and the SAM CLI's cannot share one.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-checkov"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$root/requirements-checkov.txt" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

echo "haven: installing checkov into .venv-checkov"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  -r "$root/requirements-checkov.txt"
echo "$wanted" >"$stamp"
