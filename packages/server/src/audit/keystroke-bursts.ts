/**
 * Terminal keystrokes as audit rows: one row per keystroke would double the store's write load
 * (every keystroke is already one event in the session's log), so a device's keystrokes on one
 * session from one connection are coalesced into bursts. A burst ends after `gapMs` without a
 * keystroke, after `maxMs`, or when the same device does another action on the session (so rows
 * stay in the order things happened). Its row is dated at its first keystroke and says which
 * log positions it covers: `{ seqFrom, seqTo, count, until }`. Chat messages are one row each.
 */
export interface Burst {
  deviceId: string;
  sessionId: string;
  connectionId: string | undefined;
  startedAt: number;
  lastAt: number;
  seqFrom: number;
  seqTo: number;
  count: number;
}

export class KeystrokeBursts {
  private readonly open = new Map<string, Burst>();

  constructor(
    private readonly gapMs: number,
    private readonly maxMs: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Adds a keystroke; returns the burst it closed, if this keystroke started a new one. */
  add(
    deviceId: string,
    sessionId: string,
    connectionId: string | undefined,
    seq: number,
    now: number,
  ): Burst | undefined {
    const key = `${deviceId}\n${sessionId}\n${connectionId ?? ''}`;
    const burst = this.open.get(key);
    if (burst && now - burst.lastAt < this.gapMs && now - burst.startedAt < this.maxMs) {
      burst.lastAt = now;
      burst.seqFrom = Math.min(burst.seqFrom, seq);
      burst.seqTo = Math.max(burst.seqTo, seq);
      burst.count++;
      return undefined;
    }
    this.open.set(key, {
      deviceId,
      sessionId,
      connectionId,
      startedAt: now,
      lastAt: now,
      seqFrom: seq,
      seqTo: seq,
      count: 1,
    });
    return burst;
  }

  /** Ends and returns the bursts that are over at `now` (quiet for `gapMs`, or `maxMs` long). */
  due(now: number): Burst[] {
    const out: Burst[] = [];
    for (const [key, b] of this.open)
      if (now - b.lastAt >= this.gapMs || now - b.startedAt >= this.maxMs) {
        this.open.delete(key);
        out.push(b);
      }
    return out;
  }

  /** Ends and returns a device's open bursts on a session (it did something else there). */
  endFor(deviceId: string, sessionId: string): Burst[] {
    const out: Burst[] = [];
    for (const [key, b] of this.open)
      if (b.deviceId === deviceId && b.sessionId === sessionId) {
        this.open.delete(key);
        out.push(b);
      }
    return out;
  }

  /** Ends and returns every open burst (shutdown). */
  endAll(): Burst[] {
    const out = [...this.open.values()];
    this.open.clear();
    return out;
  }
}
