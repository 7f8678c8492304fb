#!/usr/bin/env bash
# Installs the Debian packages the app tests run for real (PostgreSQL,
# Nginx, Prometheus, and shellcheck for the instance bootstrap), and only
# when they are missing, so CI can call it on every run. Needs root. No
# service is started: the tests run their own servers.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v prometheus >/dev/null || missing+=(prometheus)
command -v shellcheck >/dev/null || missing+=(shellcheck)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "haven: the app tests need ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "haven: installing ${missing[*]} for the app tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The packages may start their system-wide services; the tests do not use
# them and run their own servers on free ports.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
