#!/usr/bin/env bash
# Runs the agent conformance suite against the newest releases of Claude Code and Codex, as well
# as `npm run test:agents` runs it against the pinned ones. The newest are installed into
# tests/agents/newest (test-only, not committed) and chosen with BATON_AGENT_CLIS. When the pins
# already are the newest releases, the pinned run covers them and nothing more is run.
# Usage: bash tests/agents/newest.sh [test files…]   (built: run `tsc -b tests/agents` first)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="$here/newest"

claude="$(npm view @anthropic-ai/claude-code version)"
codex="$(npm view @openai/codex version)"
pins="$(node -p 'const d = require(process.argv[1]).dependencies;
  d["@anthropic-ai/claude-code"] + " " + d["@openai/codex"]' "$here/package.json")"
echo "tests/agents: newest Claude Code $claude and Codex $codex; pinned: $pins" >&2
if [ "$pins" = "$claude $codex" ]; then
  echo "tests/agents: the pins are the newest releases; npm run test:agents covers them" >&2
  exit 0
fi

mkdir -p "$dir"
cat >"$dir/package.json" <<JSON
{
  "name": "baton-agent-conformance-newest",
  "private": true,
  "description": "Written by tests/agents/newest.sh: the newest agent CLIs, test-only.",
  "dependencies": {
    "@anthropic-ai/claude-code": "$claude",
    "@openai/codex": "$codex"
  }
}
JSON
bash "$here/install.sh" "$dir"

cd "$root"
if [ $# -eq 0 ]; then set -- $(find tests/agents/dist -name '*.test.js'); fi
BATON_AGENT_CLIS=tests/agents/newest node --test --test-concurrency=1 "$@"
