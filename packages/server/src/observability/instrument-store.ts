import type { Store } from '../storage/store.js';
import type { ServerMetrics } from './server-metrics.js';

/**
 * The store as the hub sees it, with commit latency, batch size and snapshots counted.
 *
 * Timing: each wrapped call calls the real method synchronously and returns the very promise it
 * returned, adding no await, so the store's timing is measured and not changed. (The LogWriter
 * does not depend on it: its invariants hold with a store that yields, see log-writer.ts.)
 */
export function instrumentStore(store: Store, metrics: ServerMetrics): Store {
  const commit: Store['commit'] = (batch) => {
    const endTimer = metrics.commitDuration.startTimer();
    const outcome = store.commit(batch);
    outcome.then(
      () => {
        endTimer();
        let events = 0;
        for (const entry of batch) events += entry.events.length;
        metrics.commitBatchEvents.observe(events);
      },
      () => {
        endTimer();
        metrics.commitFailures.inc();
      },
    );
    return outcome;
  };
  const putSnapshot: Store['putSnapshot'] = (sessionId, seq, state) => {
    const stored = store.putSnapshot(sessionId, seq, state);
    stored.then(
      () => metrics.snapshots.inc(),
      () => {},
    );
    return stored;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'commit') return commit;
      if (prop === 'putSnapshot') return putSnapshot;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
