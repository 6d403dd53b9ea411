import type { AgentConfig } from '@baton/protocol';
import { childEnv } from '../child-processes/child-env.js';

/**
 * The environment an agent process runs with: the server's own without baton's variables
 * (BATON_TOKEN above all), overlaid with the session's `env` (so `ANTHROPIC_BASE_URL`, API keys
 * and `CODEX_HOME` reach the agent). See childEnv.
 */
export function agentEnv(config: AgentConfig): Record<string, string> {
  return childEnv(config.env);
}

/** The agent's working directory: the session's `cwd`, else the server's. */
export function agentCwd(config: AgentConfig): string {
  return config.cwd ?? process.cwd();
}
