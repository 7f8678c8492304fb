#!/usr/bin/env bash
# Runs the app tests: prepares .venv-app, installs PostgreSQL and Nginx when
# missing and running as root, then runs pytest, whose session fixtures
# start and stop the servers. Extra arguments go to pytest.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

bash "$here/python-env.sh"
if [ "$(id -u)" -eq 0 ]; then
  bash "$here/install-servers.sh"
fi

cd "$here"
exec "$root/.venv-app/bin/pytest" "$@"
