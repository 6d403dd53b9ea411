#!/usr/bin/env bash
# Installs the real agent CLIs pinned in tests/agents/package.json into tests/agents/node_modules
# (or those of the package.json in the folder given as the argument, see newest.sh).
# Test-only: these packages are hundreds of MB and are never part of the root install.
# Idempotent: when the pinned versions are already present it returns at once.
set -euo pipefail
here="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")}" && pwd)"

installed() {
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const dir = process.argv[1];
    const want = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")).dependencies;
    for (const [name, version] of Object.entries(want)) {
      const have = JSON.parse(readFileSync(`${dir}/node_modules/${name}/package.json`, "utf8"));
      if (have.version !== version) process.exit(1);
    }
  ' "$here" 2>/dev/null
}

if installed && [ -x "$here/node_modules/.bin/claude" ] && [ -x "$here/node_modules/.bin/codex" ]; then
  exit 0
fi
echo "tests/agents: installing the pinned agent CLIs (test-only)..." >&2
npm install --prefix "$here" --no-audit --no-fund --loglevel=error
"$here/node_modules/.bin/claude" --version >/dev/null
"$here/node_modules/.bin/codex" --version >/dev/null
