import type { LogEvent } from '@baton/protocol';
import { inputKey, type InputKey } from '../storage/store.js';

/** What a withdrawal request finds (see `InputWithdrawals.claim`). */
export type WithdrawalClaim =
  /** A turn already took the message: it cannot be withdrawn. */
  | { kind: 'started' }
  /** Withdrawn before: `seq` is (or will be) the `input.withdrawn` event's. */
  | { kind: 'withdrawn'; seq: Promise<number> }
  /** Withdrawn now: no turn will take it. The caller stores `input.withdrawn` and settles. */
  | { kind: 'claimed'; stored(seq: number): void; failed(err: unknown): void };

/**
 * The one gate between a session's stored chat messages and its agent: which messages a turn
 * took and which were withdrawn. A message may be in many places on its way (the hand-over
 * chain, the inbox, the runner's queue, a runner still reading the log after a restart), but it
 * reaches the agent only through `take`, which a runner calls when it builds a turn.
 *
 * Invariant: `take` and `claim` are synchronous and share this state, and the event loop runs one
 * of them at a time, so for every message exactly one happens first: a turn takes it (and a
 * later withdrawal is refused as `started`), or it is withdrawn (and every later turn drops it).
 * Nothing the caller awaits can come between the decision and its effect.
 *
 * Filled from the log (`apply`, for every committed or reloaded event) so the gate holds across
 * restarts: a message withdrawn before a restart is withdrawn after it, even though the runner
 * that reads the log again lists it among the messages no turn answered.
 */
export class InputWithdrawals {
  /** Messages a turn took (`take`, or an `input.delivered` in the log). */
  private readonly started = new Set<string>();
  /** Ids from `input.delivered` events stored before they named the device. */
  private readonly startedAnyDevice = new Set<string>();
  /**
   * Withdrawn messages, by key: the seq of their `input.withdrawn` event (pending while it is
   * stored), or `held` when storing it failed. A held message is still kept from every turn (a
   * turn may have left it out already, so letting it run now would run it out of order); the
   * next request for it stores the event again. Only a restart before that lets it run.
   */
  private readonly withdrawn = new Map<string, Promise<number> | 'held'>();

  /** Learns from one event of the log, in log order. */
  apply(event: LogEvent): void {
    if (event.type === 'input.delivered') {
      if (event.data.deviceId === undefined) this.startedAnyDevice.add(event.data.inputId);
      else
        this.started.add(inputKey({ deviceId: event.data.deviceId, inputId: event.data.inputId }));
    } else if (event.type === 'input.withdrawn') {
      const key = inputKey(event.data);
      if (!this.withdrawn.has(key)) this.withdrawn.set(key, Promise.resolve(event.seq));
    }
  }

  /**
   * A turn takes these messages: the withdrawn ones are left out, the rest can no longer be
   * withdrawn. Returns what the turn may send, in the given order.
   */
  take<T extends InputKey>(batch: readonly T[]): T[] {
    const kept: T[] = [];
    for (const message of batch) {
      const key = inputKey(message);
      if (this.withdrawn.has(key)) continue;
      this.started.add(key);
      kept.push(message);
    }
    return kept;
  }

  /** Decides a withdrawal of a stored message, at once (see the class invariant). */
  claim(input: InputKey): WithdrawalClaim {
    const key = inputKey(input);
    const earlier = this.withdrawn.get(key);
    if (earlier !== undefined && earlier !== 'held') return { kind: 'withdrawn', seq: earlier };
    if (
      earlier === undefined &&
      (this.started.has(key) || this.startedAnyDevice.has(input.inputId))
    )
      return { kind: 'started' };
    let settle!: { resolve(seq: number): void; reject(err: unknown): void };
    const seq = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
    // A repeat that arrives while the event is being stored waits for it and may see it fail.
    seq.catch(() => undefined);
    this.withdrawn.set(key, seq);
    return {
      kind: 'claimed',
      stored: (n) => settle.resolve(n),
      failed: (err) => {
        settle.reject(err);
        if (this.withdrawn.get(key) === seq) this.withdrawn.set(key, 'held');
      },
    };
  }
}
