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

run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-crypto-tools: ${missing[*]} missing and installing needs root;" >&2
    echo "  run 'apt-get install -y ${missing[*]}' as root, then run the tests again." >&2
    exit 1
  fi
}

echo "install-crypto-tools: installing ${missing[*]} (the sealed-envelope check only)..." >&2
export DEBIAN_FRONTEND=noninteractive
run_as_root apt-get update
run_as_root apt-get install -y "${missing[@]}"
