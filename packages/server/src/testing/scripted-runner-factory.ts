import type { SessionKind } from '@baton/protocol';
import type { RunnerContext, RunnerFactory } from '../runners/runner.js';

/**
 * An agent stand-in the test itself drives: each session's runner starts idle and does nothing
 * on its own; the test reaches its context through `contexts` (by session id) and emits events
 * and streaming fragments exactly when it wants them. Everything else (log, commit, fan-out,
 * joiners, the sessions list) is the real server.
 */
export function scriptedRunnerFactory(kind: SessionKind = 'claude'): {
  factory: RunnerFactory;
  contexts: Map<string, RunnerContext>;
} {
  const contexts = new Map<string, RunnerContext>();
  const factory: RunnerFactory = {
    kind,
    create: (ctx) => {
      contexts.set(ctx.sessionId, ctx);
      return {
        start: () => ctx.setStatus('idle'),
        input: async () => {},
        answerPermission: async () => {},
        interrupt: async () => {},
        resize: () => {},
        stop: async () => {},
      };
    },
  };
  return { factory, contexts };
}
