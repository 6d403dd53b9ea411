import type { Store } from '../storage/store.js';

/**
 * The highest host `out` number the relay committed, per session: a resent `out` at or below it
 * is acknowledged without being stored again.
 *
 * Exactly once: the number is stored on the session row in the same transaction as the events
 * it stands for (`RunnerContext.emit`'s `hostOut`, `SessionPatch.hostOut`), so a relay killed at
 * any point has stored an `out` together with its number or neither, and after a restart reads
 * back exactly what it stored. This cache only spares the read; `committed` is called after
 * that commit and records nothing itself. An `out` that stored nothing (output the runner
 * contract refused, a status the session already had) leaves the stored number behind: sent
 * again after a restart, it stores nothing again.
 */
export class OutLedger {
  private readonly cache = new Map<string, number>();

  constructor(private readonly store: Store) {}

  async get(sessionId: string): Promise<number> {
    const cached = this.cache.get(sessionId);
    if (cached !== undefined) return cached;
    const n = (await this.store.getSession(sessionId))?.hostOut ?? 0;
    // Another call may have recorded a higher number while this one read.
    const now = Math.max(n, this.cache.get(sessionId) ?? 0);
    this.cache.set(sessionId, now);
    return now;
  }

  /** `n` was handled (its events, if any, committed with it): remembered without a write. */
  committed(sessionId: string, n: number): void {
    this.cache.set(sessionId, Math.max(n, this.cache.get(sessionId) ?? 0));
  }

  /** Forgets a session (deleted: its number went with its row). */
  forget(sessionId: string): void {
    this.cache.delete(sessionId);
  }
}
