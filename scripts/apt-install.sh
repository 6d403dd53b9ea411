#!/usr/bin/env bash
# Sourced by the install-*.sh scripts: installs Debian packages that a test suite needs, as root
# or through sudo, and says exactly what to run when neither is possible.
#   apt_install WHO PURPOSE PACKAGE...
# WHO names the calling script in messages; PURPOSE says which tests need the packages.

run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    return 77
  fi
}

apt_install() {
  local who=$1 purpose=$2
  shift 2
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "${who}: $* missing and installing needs root;" >&2
    echo "  run 'apt-get install -y $*' as root, then run the ${purpose} again." >&2
    exit 1
  fi
  echo "${who}: installing $* (${purpose} only)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  run_as_root apt-get update
  run_as_root apt-get install -y "$@"
}
