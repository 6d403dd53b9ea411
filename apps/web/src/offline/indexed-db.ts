/**
 * baton's IndexedDB database, shared by every window of the browser profile: the outbox of
 * inputs, offline document writes, the saved views and this device's keys for sealed sessions. One object store per use, each record
 * keyed by `key` (the device scope and the record's own id, so one browser signed in to two
 * servers keeps two sets). A database that cannot be opened (storage disabled, a private
 * window of some browsers) rejects; callers fall back to localStorage or to nothing.
 */
export const STORES = ['outbox', 'documentWrites', 'views', 'sealing'] as const;
export type StoreName = (typeof STORES)[number];

const DB_NAME = 'baton';
/** Bump with a new store; `upgradeneeded` creates the stores that are missing. */
const DB_VERSION = 2;

let opened: Promise<IDBDatabase> | undefined;

/** The database, opened once per window. */
export function openDatabase(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser has no IndexedDB'));
      return;
    }
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of STORES)
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: 'key' });
    };
    request.onsuccess = () => {
      const db = request.result;
      // A newer build in another window upgrades the database: let it, and reopen next time.
      db.onversionchange = () => {
        db.close();
        opened = undefined;
      };
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another window'));
  });
  opened.catch(() => {
    opened = undefined;
  });
  return opened;
}

/** A stored row: `key` plus the value it keeps. */
export interface Row<T> {
  key: string;
  scope: string;
  value: T;
}

/**
 * Runs `work` in one transaction and resolves when the transaction has committed (not when
 * the last request succeeded): only then is the data durable, which the localStorage migration
 * waits for before it deletes anything.
 */
export async function transact<T>(
  store: StoreName,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => T,
): Promise<T> {
  const db = await openDatabase();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(store, mode);
    // `work` queues its requests synchronously; the transaction completes only after them.
    const result = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error ?? new Error(`IndexedDB ${store} failed`));
    tx.onabort = () => reject(tx.error ?? new Error(`IndexedDB ${store} aborted`));
  });
}

/** Every row of `store` with this scope, in key order. */
export async function rowsOf(store: StoreName, scope: string): Promise<Row<unknown>[]> {
  let request: IDBRequest<unknown[]> | undefined;
  await transact(store, 'readonly', (s) => {
    request = s.getAll(IDBKeyRange.bound(`${scope}/`, `${scope}/\uffff`));
  });
  return (request?.result ?? []).filter(
    (row): row is Row<unknown> =>
      typeof row === 'object' &&
      row !== null &&
      typeof (row as Row<unknown>).key === 'string' &&
      (row as Row<unknown>).scope === scope,
  );
}

export function rowKey(scope: string, id: string): string {
  return `${scope}/${id}`;
}
