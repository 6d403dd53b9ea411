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
  -w packages/protocol -w packages/seal -w packages/client -w packages/react >/dev/null
ls "$out"/*.tgz
