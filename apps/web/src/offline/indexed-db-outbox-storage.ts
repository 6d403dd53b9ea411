import { LocalStorageOutboxStorage, type OutboxRecord, type OutboxStorage } from '@baton/client';
import { rowKey, rowsOf, transact } from './indexed-db.js';
import { logSkipped } from './storage-log.js';

/** Where earlier builds kept the outbox: one localStorage key per input under this prefix. */
const LEGACY_PREFIX = 'baton.outbox.';

/**
 * The outbox in IndexedDB (store `outbox`, one row per input, scoped to the device), shared by
 * every window of the profile. On its first load in a window it carries over the inputs earlier
 * builds queued in localStorage (`baton.outbox.<device>.<input id>`): they are written to
 * IndexedDB and removed from localStorage only after that transaction has committed, so a
 * crash in between leaves them in both (the same input id, stored once) and never in neither.
 * Without IndexedDB (disabled, or a browser that refuses it) the outbox stays in localStorage.
 */
export class IndexedDbOutboxStorage implements OutboxStorage {
  readonly #scope: string;
  readonly #fallback: LocalStorageOutboxStorage | undefined;
  #useFallback = false;

  constructor(scope: string) {
    if (!scope) throw new Error('IndexedDbOutboxStorage needs a non-empty scope (a device id)');
    this.#scope = scope;
    try {
      this.#fallback = new LocalStorageOutboxStorage(scope);
    } catch {
      this.#fallback = undefined;
    }
  }

  async load(): Promise<OutboxRecord[]> {
    try {
      await this.#migrate();
      const rows = await rowsOf('outbox', this.#scope);
      const records: OutboxRecord[] = [];
      for (const row of rows) {
        if (looksLikeRecord(row.value)) records.push(row.value);
        else logSkipped('the IndexedDB outbox', `an entry that is not an input (${row.key})`);
      }
      return records;
    } catch (error) {
      if (!this.#fallback) throw error;
      logSkipped('IndexedDB', `the outbox (${String(error)}); it stays in localStorage`);
      this.#useFallback = true;
      return this.#fallback.load();
    }
  }

  async put(record: OutboxRecord): Promise<void> {
    if (this.#useFallback && this.#fallback) return this.#fallback.put(record);
    await transact('outbox', 'readwrite', (store) => {
      store.put({ key: rowKey(this.#scope, record.inputId), scope: this.#scope, value: record });
    });
  }

  async delete(inputId: string): Promise<void> {
    if (this.#useFallback && this.#fallback) return this.#fallback.delete(inputId);
    await transact('outbox', 'readwrite', (store) => {
      store.delete(rowKey(this.#scope, inputId));
    });
  }

  /** Moves this device's localStorage outbox into IndexedDB (see the class comment). */
  async #migrate(): Promise<void> {
    const prefix = `${LEGACY_PREFIX}${this.#scope}.`;
    const legacy: { key: string; record: OutboxRecord }[] = [];
    const unreadable: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (!key?.startsWith(prefix)) continue;
      const record = parse(localStorage.getItem(key));
      if (record) legacy.push({ key, record });
      else unreadable.push(key);
    }
    if (legacy.length > 0) {
      await transact('outbox', 'readwrite', (store) => {
        for (const { record } of legacy)
          store.put({
            key: rowKey(this.#scope, record.inputId),
            scope: this.#scope,
            value: record,
          });
      });
    }
    // Committed: the copies in localStorage can go.
    for (const { key } of legacy) localStorage.removeItem(key);
    for (const key of unreadable) {
      logSkipped('localStorage', `an outbox entry that does not parse (${key})`);
      localStorage.removeItem(key);
    }
  }
}

function parse(text: string | null): OutboxRecord | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return looksLikeRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The shape only; the outbox checks ids and payloads before it sends anything. */
function looksLikeRecord(value: unknown): value is OutboxRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<OutboxRecord>;
  return (
    typeof r.inputId === 'string' &&
    typeof r.sessionId === 'string' &&
    typeof r.payload === 'object' &&
    r.payload !== null &&
    typeof r.createdAt === 'number' &&
    typeof r.order === 'number'
  );
}
