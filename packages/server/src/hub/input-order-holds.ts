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
 * So after a retryable refusal, the device's other inputs on that session are refused too (held)
 * and join the refused ones, in the order they arrived, which is the order the device made them.
 * An input that comes back is let through with the refused ones before it (the device gave those
 * up, a keystroke past its lifetime, since it sends again in the order it made them), and the
 * hold stays until every refused or held input has come back: a new input that overtakes a
 * refused one still on its way back (the client had not heard of that refusal yet) is held in
 * turn. A hold that is not emptied lapses HOLD_MS after the store's last refusal, so a client that
 * never sends a refused input again (a script that gave up) is refused for that long at most.
 *
 * Holds are kept in this process's memory: a restart, or another node taking the session over,
 * starts without them.
 */

/** How long a hold lasts after the store's last refusal when it is not emptied. */
const HOLD_MS = 30_000;

interface Hold {
  /** Input ids refused or held, in the order they arrived: each must come back before the next. */
  readonly refused: string[];
  /** Lapses then: HOLD_MS after the store's last refusal (a held input does not extend it). */
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

  /** The store refused an input of `deviceId` on `sessionId` with a retryable error. */
  refused(sessionId: string, deviceId: string, inputId: string, now: number): void {
    let devices = this.holds.get(sessionId);
    if (devices === undefined) this.holds.set(sessionId, (devices = new Map()));
    let hold = devices.get(deviceId);
    if (hold === undefined) devices.set(deviceId, (hold = { refused: [], until: 0 }));
    if (!hold.refused.includes(inputId)) hold.refused.push(inputId);
    hold.until = now + HOLD_MS;
  }

  /**
   * Whether an input about to be stored may be, in arrival order. `held`: a refused input of its
   * device has not come back yet, so it is refused itself (and must come back in its turn).
   */
  admit(sessionId: string, deviceId: string, inputId: string, now: number): HoldVerdict {
    const devices = this.holds.get(sessionId);
    const hold = devices?.get(deviceId);
    if (devices === undefined || hold === undefined) return 'pass';
    if (hold.until <= now) {
      this.release(sessionId, devices, deviceId);
      return 'pass';
    }
    const at = hold.refused.indexOf(inputId);
    if (at < 0) {
      hold.refused.push(inputId);
      return 'held';
    }
    hold.refused.splice(0, at + 1);
    if (hold.refused.length === 0) this.release(sessionId, devices, deviceId);
    return 'pass';
  }

  /** Drops lapsed holds (called once per commit while any is in place). */
  prune(now: number): void {
    for (const [sessionId, devices] of this.holds)
      for (const [deviceId, hold] of devices)
        if (hold.until <= now) this.release(sessionId, devices, deviceId);
  }

  private release(sessionId: string, devices: Map<string, Hold>, deviceId: string): void {
    devices.delete(deviceId);
    if (devices.size === 0) this.holds.delete(sessionId);
  }
}
