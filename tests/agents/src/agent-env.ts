import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeAnthropic } from './fake-anthropic.js';
import type { FakeOpenAi } from './fake-openai.js';

/** tests/agents, where install.sh put the pinned CLIs. */
export const AGENTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(AGENTS_DIR, '..', '..');
/**
 * Where the test-installed `claude` and `codex` are, for an agent's PATH: the pinned ones, or
 * those of the install folder `BATON_AGENT_CLIS` names (relative to the repository;
 * `tests/agents/newest`, where newest.sh installs the newest releases).
 */
export const AGENT_BIN_DIR = join(
  process.env.BATON_AGENT_CLIS ? resolve(REPO_ROOT, process.env.BATON_AGENT_CLIS) : AGENTS_DIR,
  'node_modules',
  '.bin',
);
export const CLAUDE_BIN = join(AGENT_BIN_DIR, 'claude');
export const CODEX_BIN = join(AGENT_BIN_DIR, 'codex');
/** The built `baton` command. */
export const BATON_CLI = join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory for one test, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `baton-agents-${prefix}-`));
  created.push(dir);
  return dir;
}

/**
 * Session config that points the real Claude Code CLI at the fake API: its own HOME and TMPDIR
 * (so no user settings or logins leak in), an API key, no nonessential traffic, no retries.
 */
export function claudeSessionConfig(api: FakeAnthropic, root: string): Record<string, unknown> {
  const home = join(root, 'home');
  const tmp = join(root, 'tmp');
  const cwd = join(root, 'work');
  for (const d of [home, tmp, cwd]) mkdirSync(d, { recursive: true });
  return {
    cwd,
    binary: CLAUDE_BIN,
    env: {
      HOME: home,
      TMPDIR: tmp,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: 'sk-ant-fake',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
  };
}

/**
 * The environment of a person who has Claude Code installed and configured (here: the
 * test-installed CLI on PATH, pointed at the fake API), for a `baton serve` whose sessions are
 * created without any config: the agents inherit the server's environment.
 */
export function claudeUserEnv(api: FakeAnthropic, root: string): Record<string, string> {
  const { env } = claudeSessionConfig(api, root) as { env: Record<string, string> };
  return { ...env, PATH: `${AGENT_BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}` };
}

/** Session config that points the real Codex CLI at the fake API through CODEX_HOME. */
export function codexSessionConfig(api: FakeOpenAi, root: string): Record<string, unknown> {
  const home = join(root, 'home');
  const codexHome = join(root, 'codex-home');
  const cwd = join(root, 'work');
  for (const d of [home, codexHome, cwd, join(root, 'tmp')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), api.codexConfig());
  return {
    cwd,
    binary: CODEX_BIN,
    permissionMode: 'on-request',
    env: {
      HOME: home,
      CODEX_HOME: codexHome,
      FAKE_OPENAI_KEY: 'sk-fake',
      TMPDIR: join(root, 'tmp'),
    },
  };
}

/**
 * The environment of a person who has Codex installed and configured (here: the
 * test-installed CLI on PATH, its CODEX_HOME pointed at the fake API), for `codex exec` run
 * directly and for a `baton serve` whose sessions inherit it.
 */
export function codexUserEnv(api: FakeOpenAi, root: string): Record<string, string> {
  const { env } = codexSessionConfig(api, root) as { env: Record<string, string> };
  return { ...env, PATH: `${AGENT_BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}` };
}
