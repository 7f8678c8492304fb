#!/usr/bin/env bash
# Creates a project-local Python environment from a pinned requirements
# file, or refreshes it when that file changed since. Without arguments:
# .venv from requirements-dev.txt (moto, cfn-lint, the SAM CLI). checkov has
# its own (.venv-checkov from requirements-checkov.txt), as its boto3 pin
# and the SAM CLI's exclude each other.
# Usage: local/python-env.sh [VENV_DIR REQUIREMENTS_FILE]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
name=${1:-.venv}
requirements="$root/${2:-requirements-dev.txt}"
venv="$root/$name"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

echo "haven: installing $(basename "$requirements") into $name"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  -r "$requirements"
echo "$wanted" >"$stamp"
