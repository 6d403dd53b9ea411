import type { RunnerFactory } from '@baton/server';

/**
 * A runner that accepts every input and produces nothing. Each input still goes through the
 * whole server path — dedupe, sequence allocation, the SQLite commit, the ack and the fan-out to
 * every subscriber — which is what the benchmark compares with the peers.
 */
export const benchRunnerFactory: RunnerFactory = {
  kind: 'claude',
  create: () => ({
    start: async () => {},
    input: async () => {},
    interrupt: async () => {},
    resize: () => {},
    stop: async () => {},
  }),
};
