import type { SessionKind } from '@baton/protocol';
import type { RunnerFactory } from '../runners/runner.js';
import type { ServerMetrics } from './server-metrics.js';

/**
 * Runner factories that count the runners they create. A runner created for a session that
 * already had one on this server (baton restart, an agent resumed after a stop) is a restart;
 * the first one after a server start is not, so a server restart does not count every session.
 */
export function instrumentRunners(
  runners: ReadonlyMap<SessionKind, RunnerFactory>,
  metrics: ServerMetrics,
): Map<SessionKind, RunnerFactory> {
  const started = new Set<string>();
  const out = new Map<SessionKind, RunnerFactory>();
  for (const [kind, factory] of runners) {
    out.set(kind, {
      kind: factory.kind,
      ...(factory.preflight
        ? { preflight: (config, children) => factory.preflight!(config, children) }
        : {}),
      ...(factory.listConversations
        ? { listConversations: (limit, children) => factory.listConversations!(limit, children) }
        : {}),
      create: (ctx) => {
        const runner = factory.create(ctx);
        metrics.runnerStarts.inc({ kind });
        if (started.has(ctx.sessionId)) metrics.runnerRestarts.inc({ kind });
        else started.add(ctx.sessionId);
        return runner;
      },
    });
  }
  return out;
}
