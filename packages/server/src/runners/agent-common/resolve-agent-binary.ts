import type { AgentConfig } from '@baton/protocol';
import { RunnerError } from '../runner.js';
import { agentCwd, agentEnv } from './agent-env.js';
import { findBinary } from './find-binary.js';

/**
 * Finds the agent binary a session will run (its config's `binary`, the factory's default, or
 * the bare command name on the agent's PATH). Throws `agent_unavailable` saying what to install
 * or set when there is none.
 */
export function resolveAgentBinary(
  config: AgentConfig,
  fallback: string,
  howToInstall: string,
): string {
  const wanted = config.binary ?? fallback;
  const found = findBinary(wanted, agentEnv(config).PATH, agentCwd(config));
  if (found) return found;
  const where = wanted.includes('/') ? `at ${wanted}` : `on PATH`;
  throw new RunnerError(
    'agent_unavailable',
    `${wanted} was not found ${where}. ${howToInstall}, or set the session's "binary" to its path`,
  );
}
