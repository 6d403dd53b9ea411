#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/web), only when it is missing.
# Idempotent: with /usr/bin/chromium present it returns at once. Needs root (or sudo) for apt-get.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-chromium: /usr/bin/chromium is missing and installing it needs root;" >&2
    echo "  run 'apt-get install -y chromium' as root, then run the browser tests again." >&2
    exit 1
  fi
}

echo "install-chromium: installing Debian's chromium package (browser tests only)..." >&2
export DEBIAN_FRONTEND=noninteractive
run_as_root apt-get update
run_as_root apt-get install -y chromium
/usr/bin/chromium --version >&2
