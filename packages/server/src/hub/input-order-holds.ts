/**
 * Keeps a device's inputs in the order it made them when the store refuses some of them with a
 * retryable error.
 *
 * A client sends a session's inputs without waiting for their acks (docs/protocol.md, section 7,
 * rule 5). When a commit fails (a full disk, a lost connection to PostgreSQL), its inputs are
 * refused and the client sends them again, after `retryAfterMs`. Inputs it sent after them were
 * already on the wire: without a hold they would be stored by the next commit that works, before
 * the refused ones come back, and the session's log would have them out of order.
 *
 * So after a retryable refusal, the device's later inputs on that session are refused too (held),
 * until the device sends one of the refused or held inputs again. That resend is the sign that the
 * device has heard of the refusal: a device sends one session's inputs in the order it made them,
 * and everything it sent before hearing has arrived before the resend (in order on a connection).
 * A held input joins the refused ones, so a client that dropped a refused input for good (a
 * keystroke past its lifetime) still opens the hold with the next input it resends. A hold that
 * nothing reopens lapses after HOLD_MS, which only bounds what it keeps in memory.
 */

/** How long a hold lasts after its last refusal when no refused input comes back. */
const HOLD_MS = 60_000;

interface Hold {
  /** Input ids of the device refused since the hold began: a resend of any of them opens it. */
  readonly refused: Set<string>;
  until: number;
}

export type HoldVerdict = 'pass' | 'held';

export class InputOrderHolds {
  /** Session id → device id → hold. Empty unless a commit failed in the last HOLD_MS. */
  private readonly holds = new Map<string, Map<string, Hold>>();

  /** Whether any hold is in place: the append path asks nothing more when none is. */
  get empty(): boolean {
    return this.holds.size === 0;
  }

  /** An input of `deviceId` on `sessionId` was refused with a retryable error. */
  refused(sessionId: string, deviceId: string, inputId: string, now: number): void {
    let devices = this.holds.get(sessionId);
    if (devices === undefined) this.holds.set(sessionId, (devices = new Map()));
    let hold = devices.get(deviceId);
    if (hold === undefined) devices.set(deviceId, (hold = { refused: new Set(), until: 0 }));
    hold.refused.add(inputId);
    hold.until = now + HOLD_MS;
  }

  /**
   * Whether an input about to be stored may be, in arrival order. `held`: it was sent before its
   * device heard of an earlier refusal, and is now refused itself (and remembered as refused).
   */
  admit(sessionId: string, deviceId: string, inputId: string, now: number): HoldVerdict {
    const devices = this.holds.get(sessionId);
    const hold = devices?.get(deviceId);
    if (devices === undefined || hold === undefined) return 'pass';
    if (hold.until <= now || hold.refused.has(inputId)) {
      // Lapsed, or the device is sending a refused input again: it has heard.
      devices.delete(deviceId);
      if (devices.size === 0) this.holds.delete(sessionId);
      return 'pass';
    }
    hold.refused.add(inputId);
    hold.until = now + HOLD_MS;
    return 'held';
  }

  /** Drops lapsed holds (called once per commit while any is in place). */
  prune(now: number): void {
    for (const [sessionId, devices] of this.holds) {
      for (const [deviceId, hold] of devices) if (hold.until <= now) devices.delete(deviceId);
      if (devices.size === 0) this.holds.delete(sessionId);
    }
  }
}
