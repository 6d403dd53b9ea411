import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '@baton/protocol';
import { agentEnv, resolveAgentBinary } from '../agent-common/index.js';
import { RunnerError } from '../runner.js';

/** Approval policies `codex app-server` accepts as a permission mode. */
export const CODEX_APPROVAL_POLICIES = ['untrusted', 'on-request', 'never'] as const;

/**
 * Checks that a Codex session can start: the binary is installed, the permission mode is an
 * approval policy it knows, and a credential or a custom model provider is configured. Returns
 * the binary's path.
 */
export function codexPreflight(config: AgentConfig, defaultBinary: string): string {
  const binary = resolveAgentBinary(
    config,
    defaultBinary,
    'Install Codex with `npm install -g @openai/codex`',
  );
  const mode = config.permissionMode;
  if (mode !== undefined && !(CODEX_APPROVAL_POLICIES as readonly string[]).includes(mode)) {
    throw new RunnerError(
      'bad_request',
      `permissionMode '${mode}' is not a Codex approval policy; use one of ${CODEX_APPROVAL_POLICIES.join(', ')}`,
    );
  }
  if (!hasCredentials(config)) {
    throw new RunnerError(
      'agent_unavailable',
      'Codex has no credentials: run `codex login`, or set OPENAI_API_KEY (in the server environment or the session env), or configure a model provider in $CODEX_HOME/config.toml',
    );
  }
  return binary;
}

function hasCredentials(config: AgentConfig): boolean {
  const env = agentEnv(config);
  if ((env.OPENAI_API_KEY ?? '') !== '' || (env.CODEX_API_KEY ?? '') !== '') return true;
  const home = codexHome(env);
  if (existsSync(join(home, 'auth.json'))) return true;
  try {
    return /^\s*model_provider\s*=/m.test(readFileSync(join(home, 'config.toml'), 'utf8'));
  } catch {
    return false;
  }
}

/** Where Codex keeps its config, logins and threads, for an agent running with `env`. */
export function codexHome(env: Readonly<Record<string, string | undefined>>): string {
  return env.CODEX_HOME || join(env.HOME || homedir(), '.codex');
}
