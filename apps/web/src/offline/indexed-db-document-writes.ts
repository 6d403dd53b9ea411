import {
  isPendingDocumentWrite,
  type DocumentWriteStorage,
  type PendingDocumentWrite,
} from '@baton/client';
import { rowKey, rowsOf, transact } from './indexed-db.js';
import { logSkipped } from './storage-log.js';

/**
 * Offline document writes in IndexedDB (store `documentWrites`), shared by every window of the
 * profile, so a write made offline survives a reload or the window closing and is delivered by
 * whichever window of the device connects first. `claim` reads and deletes in one readwrite
 * transaction: IndexedDB runs overlapping readwrite transactions on a store one after another,
 * so of two windows claiming the same write exactly one finds it.
 */
export class IndexedDbDocumentWrites implements DocumentWriteStorage {
  readonly #scope: string;

  constructor(scope: string) {
    if (!scope) throw new Error('IndexedDbDocumentWrites needs a non-empty scope (a device id)');
    this.#scope = scope;
  }

  async load(): Promise<PendingDocumentWrite[]> {
    const writes: PendingDocumentWrite[] = [];
    for (const row of await rowsOf('documentWrites', this.#scope)) {
      if (isPendingDocumentWrite(row.value)) writes.push(row.value);
      else logSkipped('the IndexedDB document writes', `an entry that is not a write (${row.key})`);
    }
    return writes;
  }

  async put(write: PendingDocumentWrite): Promise<void> {
    await transact('documentWrites', 'readwrite', (store) => {
      store.put({ key: rowKey(this.#scope, write.id), scope: this.#scope, value: write });
    });
  }

  async claim(id: string): Promise<boolean> {
    let found = false;
    await transact('documentWrites', 'readwrite', (store) => {
      const key = rowKey(this.#scope, id);
      const request = store.getKey(key);
      request.onsuccess = () => {
        found = request.result !== undefined;
        if (found) store.delete(key);
      };
    });
    return found;
  }
}
