#!/usr/bin/env bash
# Creates the Python environment of the app tests (.venv-app) or refreshes it
# when tests/app/requirements.txt or app/requirements.txt changed since. Kept
# apart from .venv so the app's pins never fight the emulator's.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.venv-app"
stamp="$venv/.requirements.sha256"
wanted=$(cat "$root/tests/app/requirements.txt" "$root/app/requirements.txt" \
  | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

echo "haven: installing the app test environment into .venv-app"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  -r "$root/tests/app/requirements.txt"
echo "$wanted" >"$stamp"
