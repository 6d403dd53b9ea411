import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { isPgUrl } from './pg-target.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import { StoreOpenError } from './store-open-error.js';

export interface OpenStoreOptions {
  /** A postgres:// URL, a Store to use as it is, or undefined for SQLite in `dataDir`. */
  store: string | Store | undefined;
  dataDir: string;
  /** SQLite's durability mode; PostgreSQL's is its own (`synchronous_commit`). */
  durability: 'normal' | 'full';
  log: Logger;
  /** Whether other nodes share the PostgreSQL schema (ServerOptions.cluster). */
  sharedSchema?: boolean;
}

/**
 * The server's store: SQLite in `<dataDir>/baton.db` (the embedded default), or PostgreSQL when
 * `store` is a postgres:// URL. The PostgreSQL driver is loaded only then, so a server on SQLite
 * never loads it.
 */
export async function openStore(
  o: OpenStoreOptions,
): Promise<{ store: Store; description: string }> {
  if (o.store === undefined) {
    const file = join(o.dataDir, 'baton.db');
    return {
      store: new SqliteStore(file, { durability: o.durability, log: o.log }),
      description: `sqlite ${file}`,
    };
  }
  if (o.sharedSchema === true && (typeof o.store !== 'string' || !isPgUrl(o.store))) {
    throw new StoreOpenError(
      'many nodes share one PostgreSQL: --cluster needs --store postgres://…',
    );
  }
  if (typeof o.store !== 'string') return { store: o.store, description: 'provided' };
  if (!isPgUrl(o.store)) {
    throw new StoreOpenError(
      `--store must be a postgres:// URL; leave it out for the embedded SQLite store in the data directory`,
    );
  }
  const { PgStore } = await import('./pg-store.js');
  const store = await PgStore.open(o.store, {
    log: o.log,
    ...(o.sharedSchema === true ? { sharedSchema: true } : {}),
  });
  return { store, description: `postgres ${store.target.shown} schema ${store.target.schema}` };
}
