import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '@baton/protocol';
import { agentEnv, resolveAgentBinary } from '../agent-common/index.js';
import { RunnerError } from '../runner.js';
import { CLAUDE_PERMISSION_MODES } from './claude-args.js';

const CREDENTIAL_ENV = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_USE_FOUNDRY',
];

/**
 * Checks that a Claude Code session can start: the binary is installed, the permission mode is
 * one it knows, and some credential is configured. Returns the binary's path.
 */
export function claudePreflight(config: AgentConfig, defaultBinary: string): string {
  const binary = resolveAgentBinary(
    config,
    defaultBinary,
    'Install Claude Code with `npm install -g @anthropic-ai/claude-code`',
  );
  const mode = config.permissionMode;
  if (mode !== undefined && !(CLAUDE_PERMISSION_MODES as readonly string[]).includes(mode)) {
    throw new RunnerError(
      'bad_request',
      `permissionMode '${mode}' is not a Claude Code permission mode; use one of ${CLAUDE_PERMISSION_MODES.join(', ')}`,
    );
  }
  if (!hasCredentials(config)) {
    throw new RunnerError(
      'agent_unavailable',
      'Claude Code has no credentials: run `claude` once and log in, or set ANTHROPIC_API_KEY (in the server environment or the session env)',
    );
  }
  return binary;
}

function hasCredentials(config: AgentConfig): boolean {
  const env = agentEnv(config);
  if (CREDENTIAL_ENV.some((name) => (env[name] ?? '') !== '')) return true;
  // On macOS the login lives in the keychain, which cannot be checked from here.
  if (process.platform === 'darwin') return true;
  const home = env.HOME ?? homedir();
  const configDir = env.CLAUDE_CONFIG_DIR ?? join(home, '.claude');
  if (existsSync(join(configDir, '.credentials.json'))) return true;
  for (const file of [join(home, '.claude.json'), join(configDir, 'settings.json')]) {
    const text = readIfExists(file);
    if (text && /"(oauthAccount|primaryApiKey|apiKeyHelper)"/.test(text)) return true;
  }
  return false;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
