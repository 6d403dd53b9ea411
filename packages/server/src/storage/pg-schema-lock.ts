import pg from 'pg';
import type { Logger } from '../logger.js';
import type { PgTarget } from './pg-target.js';
import { StoreOpenError } from './store-open-error.js';

/** How often a lock whose connection broke is asked for again. */
const RETAKE_EVERY_MS = 2_000;

/**
 * One server per schema, as one server per data directory (DataDirLock): two servers on one
 * schema would number the same sessions' events. The lock is a PostgreSQL session advisory lock
 * held on a connection of its own for as long as the server runs; PostgreSQL releases it when
 * that connection ends in any way, so there is never a stale lock to clear.
 *
 * If the connection breaks while the server runs (PostgreSQL restarted), the lock is gone: it is
 * asked for again every RETAKE_EVERY_MS, and logged until held. In that window a second server
 * could start on the schema; fencing that (a lease per session, checked in every commit) is what
 * many nodes need and is built in session-lease.ts.
 */
export class PgSchemaLock {
  private closed = false;
  private retaking: NodeJS.Timeout | undefined;

  private constructor(
    private client: pg.Client,
    private readonly config: pg.ClientConfig,
    private readonly target: PgTarget,
    private readonly log: Logger | undefined,
    private readonly shared: boolean,
  ) {
    this.watch(client);
  }

  /**
   * Takes the schema's lock, or refuses with who to stop. `shared`: the lock of one of many
   * nodes (`--cluster`), held by every node at once and by no single server beside them; the
   * lock of a single server is exclusive.
   */
  static async take(
    config: pg.ClientConfig,
    target: PgTarget,
    log: Logger | undefined,
    shared = false,
  ): Promise<PgSchemaLock> {
    const client = new pg.Client(config);
    client.on('error', () => {}); // a failure here is reported by the awaited calls below
    await client.connect();
    try {
      if (!(await tryLock(client, target.schema, shared))) {
        throw new StoreOpenError(
          shared
            ? `the schema '${target.schema}' at ${target.shown} is in use by a baton server not started with --cluster; stop it and start every server on this schema with --cluster, or use another ?schema=`
            : `the schema '${target.schema}' at ${target.shown} is in use by another baton server; stop that server first (or, if nodes started with --cluster hold it, start this one with --cluster too), or use another ?schema=`,
        );
      }
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    return new PgSchemaLock(client, config, target, log, shared);
  }

  async release(): Promise<void> {
    this.closed = true;
    if (this.retaking) clearTimeout(this.retaking);
    await this.client.end().catch(() => {});
  }

  private watch(client: pg.Client): void {
    const lost = (reason: string) => {
      if (this.closed || client !== this.client) return;
      this.log?.error('lost the lock on the PostgreSQL schema; taking it again', {
        schema: this.target.schema,
        error: reason,
      });
      this.scheduleRetake();
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('the connection ended'));
  }

  private scheduleRetake(): void {
    if (this.closed || this.retaking) return;
    this.retaking = setTimeout(() => {
      this.retaking = undefined;
      void this.retake();
    }, RETAKE_EVERY_MS);
    this.retaking.unref();
  }

  private async retake(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('error', () => {});
    try {
      await client.connect();
      if (this.closed) throw new Error('closed');
      if (!(await tryLock(client, this.target.schema, this.shared))) {
        this.log?.error(
          'another baton server holds the PostgreSQL schema now: two servers write to the same sessions; stop one',
          { schema: this.target.schema },
        );
        throw new Error('held by another server');
      }
    } catch {
      await client.end().catch(() => {});
      this.scheduleRetake();
      return;
    }
    this.client = client;
    this.watch(client);
    this.log?.info('holds the lock on the PostgreSQL schema again', { schema: this.target.schema });
  }
}

async function tryLock(client: pg.Client, schema: string, shared: boolean): Promise<boolean> {
  const r = await client.query<{ locked: boolean }>(
    shared
      ? 'SELECT pg_try_advisory_lock_shared(hashtext($1)) AS locked'
      : 'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
    [`baton server ${schema}`],
  );
  return r.rows[0]?.locked === true;
}
