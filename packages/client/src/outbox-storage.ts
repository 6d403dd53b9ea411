import type { InputPayload, SessionId } from '@baton/protocol';
import type { SealedPayload } from './sealing/session-sealing.js';

/** One input as kept in durable storage until the server acknowledges or rejects it. */
export interface OutboxRecord {
  inputId: string;
  sessionId: SessionId;
  payload: InputPayload;
  /** Epoch milliseconds when the input was created. */
  createdAt: number;
  /**
   * Inputs of one session are sent in `(createdAt, order)` order; `order` breaks ties between
   * inputs created in the same millisecond.
   */
  order: number;
  /**
   * A sealed session's input as it goes on the wire, sealed once when it was queued: every
   * resend carries exactly this, so the relay's dedupe by input id holds and the device's
   * counter is never spent twice. `payload` stays the plaintext this device shows.
   */
  sealed?: SealedPayload;
  /** Set when the server rejected the input for good; such inputs are not retried automatically. */
  failed?: { code: string; message: string };
}

/**
 * Where the outbox keeps unacknowledged inputs so they survive a reload or a crash. Methods may be
 * synchronous or return promises; the outbox runs them one at a time in call order.
 */
export interface OutboxStorage {
  /** Every stored record, in any order. */
  load(): OutboxRecord[] | Promise<OutboxRecord[]>;
  /** Inserts or replaces the record with this `inputId`. */
  put(record: OutboxRecord): void | Promise<void>;
  delete(inputId: string): void | Promise<void>;
}

/** Keeps the outbox in memory only: inputs survive reconnects but not a restart of the process. */
export class MemoryOutboxStorage implements OutboxStorage {
  readonly #records = new Map<string, OutboxRecord>();

  load(): OutboxRecord[] {
    return [...this.#records.values()].map((record) => structuredClone(record));
  }

  put(record: OutboxRecord): void {
    this.#records.set(record.inputId, structuredClone(record));
  }

  delete(inputId: string): void {
    this.#records.delete(inputId);
  }
}
