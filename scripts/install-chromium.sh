#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/web), only when it is missing.
# Idempotent: with /usr/bin/chromium present it returns at once. Needs root (or sudo) for apt-get.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install install-chromium "browser tests" chromium
/usr/bin/chromium --version >&2
