#!/usr/bin/env bash
# Installs what the https browser tests need, only when missing: certutil (libnss3-tools), to
# trust baton's self-signed certificate in a test browser's NSS database, and nginx, to test the
# reverse-proxy recipe of docs/operations.md. Idempotent; needs root (or sudo) for apt-get.
set -euo pipefail

missing=()
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install install-tls-tools "browser tests" "${missing[@]}"
# The package starts nginx on port 80; the tests run their own instances, so stop that one.
if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
  run_as_root systemctl disable --now nginx >/dev/null 2>&1 || run_as_root service nginx stop >/dev/null 2>&1 || true
fi
