import type { Store } from '../storage/store.js';

/**
 * The highest host `out` number the relay committed, per session: a resent `out` at or below it
 * is acknowledged without being stored again. Kept in the store's meta table so a relay restart
 * still recognises what it stored before.
 *
 * The number is recorded right after the commit of the events it stands for, in a second write:
 * a relay killed between the two stores that `out` once and, when the host resends it, once
 * more. Sealing (docs/relay.md) will carry the host's number inside the stored envelope, which
 * closes that window.
 */
export class OutLedger {
  private readonly cache = new Map<string, number>();

  constructor(private readonly store: Store) {}

  async get(sessionId: string): Promise<number> {
    const cached = this.cache.get(sessionId);
    if (cached !== undefined) return cached;
    const raw = await this.store.getMeta(key(sessionId));
    const n = raw === undefined ? 0 : Number.parseInt(raw, 10) || 0;
    // Another call may have recorded a higher number while this one read.
    const now = Math.max(n, this.cache.get(sessionId) ?? 0);
    this.cache.set(sessionId, now);
    return now;
  }

  async set(sessionId: string, n: number): Promise<void> {
    this.cache.set(sessionId, n);
    await this.store.setMeta(key(sessionId), String(n));
  }
}

function key(sessionId: string): string {
  return `relay.out.${sessionId}`;
}
