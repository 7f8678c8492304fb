#!/usr/bin/env bash
# Installs what `npm run local` and `npm test` need on a fresh clone: the npm
# packages (Node.js 22 among them, for the state machine interpreter) and
# the Python test bed, and checkov in a venv of its own. Quiet and quick
# when everything is already there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "haven: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash local/python-env.sh
bash local/python-env.sh .venv-checkov requirements-checkov.txt
