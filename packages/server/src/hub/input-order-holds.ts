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
 * The hold stays until every refused or held input has come back and been stored. An input that
 * comes back passes when nothing before it in the hold was refused after it was:
 * - The device hears of refusals in the order they are sent, and sends again in the order it made
 *   its inputs. So when an input comes back, the device knew of every refusal sent before its
 *   own; an input refused earlier and still in the hold ahead of it was given up (a keystroke
 *   past its lifetime), and is dropped from the hold.
 * - An input ahead of it refused later (its own commit failed again after it came back) may not
 *   have been heard of when this one was sent: this one is held again, in its place.
 * - A new input (not in the hold) that overtakes a refused one still on its way back is held, at
 *   the end. One that comes after them all has come back goes with them.
 * Inputs let through stay in the hold, in flight, until their commit's outcome is known: stored,
 * they leave it; refused again, they keep their place ahead of everything made after them. A copy
 * of an input already stored never reaches the hold: the writer answers it as a duplicate first.
 *
 * A hold that is not emptied lapses HOLD_MS after the store's last refusal, so a client that never
 * sends a refused input again (a script that gave up) is refused for that long at most.
 *
 * Holds are kept in this process's memory: a restart, or another node taking the session over,
 * starts without them. They rely on one connection per device sending in order: two windows of
 * one device sending the same inputs are not told apart.
 */

/** How long a hold lasts after the store's last refusal when it is not emptied. */
const HOLD_MS = 30_000;

interface HeldInput {
  readonly inputId: string;
  /** When it was last refused, as a number in the order refusals are sent to the device. */
  refusal: number;
  /** Let through by `admit`, its commit's outcome not known yet (only within one batch). */
  inFlight: boolean;
}

interface Hold {
  /** Inputs refused or held, in the order they arrived: each must be stored before the next. */
  readonly inputs: HeldInput[];
  /** Lapses then: HOLD_MS after the store's last refusal (a held input does not extend it). */
  until: number;
}

export type HoldVerdict = 'pass' | 'held';

export class InputOrderHolds {
  /** Session id → device id → hold. Empty unless a commit failed in the last HOLD_MS. */
  private readonly holds = new Map<string, Map<string, Hold>>();
  /** Numbers refusals in the order they are made, which is the order their devices hear them. */
  private refusals = 0;

  /** Whether any hold is in place: the append path asks nothing more when none is. */
  get empty(): boolean {
    return this.holds.size === 0;
  }

  /**
   * Whether an input about to be stored may be, in arrival order. `held`: an input of its device
   * must be stored before it and has not come back, so it is refused itself (and must come back
   * in its turn). A `pass` must be followed by `refused` or `settled` once its commit is over.
   */
  admit(sessionId: string, deviceId: string, inputId: string, now: number): HoldVerdict {
    const hold = this.holdOf(sessionId, deviceId);
    if (hold === undefined) return 'pass';
    if (hold.until <= now) {
      this.release(sessionId, deviceId);
      return 'pass';
    }
    const { inputs } = hold;
    const at = inputs.findIndex((i) => i.inputId === inputId);
    if (at < 0) {
      // Made after every input in the hold: it may go once they have all come back.
      if (inputs.every((i) => i.inFlight)) return 'pass';
      inputs.push({ inputId, refusal: ++this.refusals, inFlight: false });
      return 'held';
    }
    const input = inputs[at]!;
    // A second copy in the same batch: the writer's dedupe answers it.
    if (input.inFlight) return 'pass';
    for (let i = 0; i < at; i++)
      if (!inputs[i]!.inFlight && inputs[i]!.refusal > input.refusal) {
        // Refused again now: an input later in this batch must not take it for given up.
        input.refusal = ++this.refusals;
        return 'held';
      }
    // Everything before it not in flight was refused before it and not sent again: given up.
    for (let i = at - 1; i >= 0; i--) if (!inputs[i]!.inFlight) inputs.splice(i, 1);
    input.inFlight = true;
    return 'pass';
  }

  /**
   * An input of `deviceId` on `sessionId` was refused with a retryable error: by the store
   * (`byStore`, which starts or extends the hold) or because it was held. Called in the order the
   * refusals are sent. An input already in the hold keeps its place.
   */
  refused(
    sessionId: string,
    deviceId: string,
    inputId: string,
    now: number,
    byStore: boolean,
  ): void {
    let devices = this.holds.get(sessionId);
    if (devices === undefined) this.holds.set(sessionId, (devices = new Map()));
    let hold = devices.get(deviceId);
    if (hold === undefined) devices.set(deviceId, (hold = { inputs: [], until: now + HOLD_MS }));
    const known = hold.inputs.find((i) => i.inputId === inputId);
    if (known === undefined)
      hold.inputs.push({ inputId, refusal: ++this.refusals, inFlight: false });
    else {
      known.refusal = ++this.refusals;
      known.inFlight = false;
    }
    if (byStore) hold.until = now + HOLD_MS;
  }

  /** An input let through was stored (or found stored, or refused for good): it leaves the hold. */
  settled(sessionId: string, deviceId: string, inputId: string): void {
    const hold = this.holdOf(sessionId, deviceId);
    if (hold === undefined) return;
    const at = hold.inputs.findIndex((i) => i.inputId === inputId);
    if (at >= 0) hold.inputs.splice(at, 1);
    if (hold.inputs.length === 0) this.release(sessionId, deviceId);
  }

  /** Drops lapsed holds (called once per commit while any is in place). */
  prune(now: number): void {
    for (const [sessionId, devices] of this.holds)
      for (const [deviceId, hold] of devices)
        if (hold.until <= now) this.release(sessionId, deviceId);
  }

  private holdOf(sessionId: string, deviceId: string): Hold | undefined {
    return this.holds.get(sessionId)?.get(deviceId);
  }

  private release(sessionId: string, deviceId: string): void {
    const devices = this.holds.get(sessionId);
    devices?.delete(deviceId);
    if (devices?.size === 0) this.holds.delete(sessionId);
  }
}
