import type { OutboxRecord, OutboxStorage } from './outbox-storage.js';

/** The subset of the Web Storage API this adapter uses (`window.localStorage` fits). */
export interface WebStorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Keeps the outbox in the browser's `localStorage`, one key per input under
 * `baton.outbox.<scope>.`, so tabs of the same browser never overwrite each other's records.
 * `scope` should name the device and server (for example the device id), so one browser talking
 * to two servers keeps two outboxes. All tabs of a browser are one device: a tab that starts
 * picks up inputs another tab could not deliver, and the server's dedupe by input id makes
 * the second delivery harmless.
 */
export class LocalStorageOutboxStorage implements OutboxStorage {
  readonly #prefix: string;
  readonly #storage: WebStorageLike;

  constructor(scope: string, storage?: WebStorageLike) {
    if (!scope) throw new Error('LocalStorageOutboxStorage needs a non-empty scope (a device id)');
    const found = storage ?? (globalThis as { localStorage?: WebStorageLike }).localStorage;
    if (!found) {
      throw new Error(
        'no localStorage on this platform: pass a storage or use MemoryOutboxStorage',
      );
    }
    this.#storage = found;
    this.#prefix = `baton.outbox.${scope}.`;
  }

  load(): OutboxRecord[] {
    const records: OutboxRecord[] = [];
    for (let i = 0; i < this.#storage.length; i++) {
      const key = this.#storage.key(i);
      if (!key?.startsWith(this.#prefix)) continue;
      const text = this.#storage.getItem(key);
      if (text === null) continue;
      try {
        records.push(JSON.parse(text) as OutboxRecord);
      } catch {
        // A corrupt entry cannot be delivered; drop it rather than block the outbox forever.
        this.#storage.removeItem(key);
      }
    }
    return records;
  }

  put(record: OutboxRecord): void {
    this.#storage.setItem(this.#prefix + record.inputId, JSON.stringify(record));
  }

  delete(inputId: string): void {
    this.#storage.removeItem(this.#prefix + inputId);
  }
}
