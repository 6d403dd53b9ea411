import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { ScriptedModelApi as FakeAnthropic } from './fake-model-api.js';
import { AGENT_BIN_DIR } from './paths.js';

/**
 * Environment for a `baton serve` whose `claude` sessions run the real Claude Code CLI (installed
 * by tests/agents/install.sh) against a scripted model API: the CLI on PATH, its own HOME and
 * TMPDIR (no user settings or logins), an API key, no nonessential traffic, no retries. Sessions
 * created from the web app then talk to the fake API like a person's would to the real one.
 */
export function claudeServerEnv(api: FakeAnthropic, root: string): NodeJS.ProcessEnv {
  const home = join(root, 'home');
  const tmp = join(root, 'tmp');
  for (const dir of [home, tmp]) mkdirSync(dir, { recursive: true });
  return {
    PATH: `${AGENT_BIN_DIR}:${process.env['PATH'] ?? ''}`,
    HOME: home,
    TMPDIR: tmp,
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: 'sk-ant-fake',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}

/** Session config that points one session at its own scripted model API. */
export function claudeSessionEnv(api: FakeAnthropic): Record<string, string> {
  return { ANTHROPIC_BASE_URL: api.url };
}
