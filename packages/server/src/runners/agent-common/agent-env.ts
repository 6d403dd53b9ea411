import type { AgentConfig } from '@baton/protocol';

/**
 * The environment an agent process runs with: the server's own, overlaid with the session's
 * `env` (so `ANTHROPIC_BASE_URL`, API keys and `CODEX_HOME` reach the agent).
 */
export function agentEnv(config: AgentConfig): NodeJS.ProcessEnv {
  return { ...process.env, ...(config.env ?? {}) };
}

/** The agent's working directory: the session's `cwd`, else the server's. */
export function agentCwd(config: AgentConfig): string {
  return config.cwd ?? process.cwd();
}
