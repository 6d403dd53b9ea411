import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
  if (wanted.includes('/') && existsSync(resolve(agentCwd(config), wanted)))
    throw new RunnerError(
      'agent_unavailable',
      `${wanted} is not a program baton can run (a directory, or a file without execute ` +
        `permission): set the session's "binary" to the agent's executable`,
    );
  const where = wanted.includes('/') ? `at ${wanted}` : `on PATH`;
  throw new RunnerError(
    'agent_unavailable',
    `${wanted} was not found ${where}. ${howToInstall}, or set the session's "binary" to its path`,
  );
}
