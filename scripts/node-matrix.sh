#!/usr/bin/env bash
# Runs the build and the main suite (npm test) under another Node release, in a copy of this tree,
# so the Node 20 tree and its native modules are never touched.
#
# The copy holds the files git knows about (tracked and untracked-but-not-ignored), without
# node_modules or build output; `npm ci` then installs from the lockfile with the native modules
# (better-sqlite3, node-pty) compiled against that Node's headers through npm_config_nodedir.
#
# usage: scripts/node-matrix.sh <22|24|x.y.z> [npm script…]   (default: test, which builds first)
set -euo pipefail
cd "$(dirname "$0")/.."

major=${1:-}
if [ -z "$major" ]; then
  echo "usage: scripts/node-matrix.sh <22|24|x.y.z> [npm script…]" >&2
  exit 2
fi
shift
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(test)

nodedir=$(bash scripts/install-node.sh "$major")
work=$(mktemp -d "${TMPDIR:-/tmp}/baton-node-$major.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Only files that exist: a tracked file deleted in the working tree is left out, as git would.
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  rsync -a --from0 --files-from=- . "$work/tree/"

cd "$work/tree"
# npm itself is this machine's; it runs on whichever `node` is first on PATH.
export PATH="$nodedir/bin:$PATH"
export npm_config_nodedir="$nodedir"
echo "node-matrix: $(node --version) in $work/tree (nodedir $nodedir)"
npm ci --no-audit --no-fund --loglevel=error
node -e "require('better-sqlite3')(':memory:').prepare('select 1').get(); require('node-pty')" ||
  {
    echo "node-matrix: the native modules do not load under $(node --version)" >&2
    exit 1
  }
for s in "${scripts[@]}"; do
  echo "node-matrix: npm run $s under $(node --version)"
  npm run --silent "$s"
done
