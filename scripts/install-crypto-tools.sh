#!/usr/bin/env bash
# Installs what the sealed-envelope independent check (packages/seal) needs, only when missing:
# the openssl command line (Ed25519 signature and AES-256-CTR) and Debian's python3-cryptography
# (AES-256-GCM with the tag and the AAD), tools that share no code with baton. Idempotent; needs
# root (or sudo) for apt-get only when something is missing.
set -euo pipefail

# Debian's own python3 and its package: not a python3 that another installer put first on PATH.
PYTHON=/usr/bin/python3

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if ! [ -x "$PYTHON" ] ||
  ! "$PYTHON" -c 'from cryptography.hazmat.primitives.ciphers.aead import AESGCM' >/dev/null 2>&1; then
  missing+=(python3-cryptography)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install install-crypto-tools "sealed-envelope check" "${missing[@]}"
