import type { RequestId } from '@baton/protocol';
import { BatonError } from './baton-error.js';
import type { Clock } from './clock.js';

interface Pending {
  resolve(result: unknown): void;
  reject(error: BatonError): void;
  timer: unknown;
  /** Whether the request went out on the current socket (only those fail on disconnect). */
  sent: boolean;
  send: () => void;
}

/**
 * Requests waiting for their `reply`, keyed by `rid`. Each has its own timeout. Requests made
 * while the link is down wait (until their timeout) and go out once it is up; requests already
 * sent fail fast with a retryable `disconnected` error when the link drops, because their answer
 * can never arrive on a new socket.
 */
export class PendingRequests {
  readonly #clock: Clock;
  readonly #pending = new Map<RequestId, Pending>();
  #nextRid = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  nextRid(): number {
    return this.#nextRid++;
  }

  /**
   * Registers a request. `send` puts it on the wire and is called now if `online`, otherwise by
   * `sendWaiting` once the link is up.
   */
  add(rid: RequestId, timeoutMs: number, online: boolean, send: () => void): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(rid);
        reject(new BatonError('timeout', `no answer from the server within ${timeoutMs} ms`));
      }, timeoutMs);
      const entry: Pending = { resolve, reject, timer, sent: false, send };
      this.#pending.set(rid, entry);
      if (online) {
        entry.sent = true;
        send();
      }
    });
  }

  /** Sends every request that was waiting for the link. */
  sendWaiting(): void {
    for (const entry of this.#pending.values()) {
      if (entry.sent) continue;
      entry.sent = true;
      entry.send();
    }
  }

  resolve(rid: RequestId, result: unknown): boolean {
    const entry = this.#take(rid);
    entry?.resolve(result);
    return entry !== undefined;
  }

  reject(rid: RequestId, error: BatonError): boolean {
    const entry = this.#take(rid);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** The link dropped: requests already sent fail; the others keep waiting. */
  failSent(error: BatonError): void {
    for (const [rid, entry] of [...this.#pending]) {
      if (entry.sent) this.reject(rid, error);
    }
  }

  failAll(error: BatonError): void {
    for (const rid of [...this.#pending.keys()]) this.reject(rid, error);
  }

  #take(rid: RequestId): Pending | undefined {
    const entry = this.#pending.get(rid);
    if (!entry) return undefined;
    this.#pending.delete(rid);
    this.#clock.clearTimeout(entry.timer);
    return entry;
  }
}
