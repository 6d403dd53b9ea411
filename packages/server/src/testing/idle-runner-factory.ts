import type { SessionKind } from '@baton/protocol';
import type { RunnerFactory } from '../runners/runner.js';

/**
 * A runner that accepts every input and produces nothing. Each input still takes the whole server
 * path — dedupe, sequence allocation, the commit, the ack and the fan-out — so benchmarks and the
 * history checker measure the log, not an engine. As kind `claude` its sessions resume after a
 * server restart (agent semantics), so inputs keep flowing across kills.
 */
export function idleRunnerFactory(kind: SessionKind = 'claude'): RunnerFactory {
  return {
    kind,
    create: () => ({
      start: async () => {},
      input: async () => {},
      interrupt: async () => {},
      resize: () => {},
      stop: async () => {},
    }),
  };
}
