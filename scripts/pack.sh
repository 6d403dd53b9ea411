#!/usr/bin/env bash
# Packs the installable tarballs into artifacts/packages/ (or the folder given):
#   baton-live-<v>.tgz       the server, the baton CLI and the web app (packages/baton)
#   baton-protocol-<v>.tgz, baton-seal-<v>.tgz, baton-client-<v>.tgz, baton-react-<v>.tgz
#                            the libraries (the client seals and opens with @baton/seal)
# Builds first (npm run build) unless BATON_SKIP_BUILD=1. Prints the tarballs' paths.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-artifacts/packages}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.tgz

[ "${BATON_SKIP_BUILD:-}" = 1 ] || npm run build --silent
node packages/baton/bundle.mjs >&2
(cd packages/baton && npm pack --silent --pack-destination "$out" >/dev/null)
npm pack --silent --pack-destination "$out" \
  -w packages/protocol -w packages/client -w packages/react >/dev/null
# @baton/seal exports ./testing to the workspace's tests (weak keys, openssl-made keys); the
# library installs without it, so it is packed from a copy whose package.json leaves it out.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r packages/seal/package.json packages/seal/README.md packages/seal/dist "$stage"/
node -e '
  const fs = require("node:fs");
  const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  delete pkg.exports["./testing"];
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$stage/package.json"
(cd "$stage" && npm pack --silent --pack-destination "$out" >/dev/null)
ls "$out"/*.tgz
