import type pg from 'pg';
import type { Logger } from '../logger.js';
import { PG_MIGRATIONS } from './pg-migrations.js';
import type { PgTarget } from './pg-target.js';
import { StoreOpenError } from './store-open-error.js';

/**
 * Creates baton's schema when missing and brings it to this baton's version (PG_MIGRATIONS), in
 * one transaction. Refuses a schema written by a newer baton, changing nothing.
 */
export async function migrate(
  pool: pg.Pool,
  target: PgTarget,
  log: Logger | undefined,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Nodes starting at once take turns: the first migrates, the others find it done.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `baton migrate ${target.schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
    );
    const row = await client.query<{ value: string }>(
      "SELECT value FROM meta WHERE key = 'schema_version'",
    );
    const current = row.rows[0] ? Number(row.rows[0].value) : 0;
    if (current > PG_MIGRATIONS.length) {
      throw new StoreOpenError(
        `the schema '${target.schema}' at ${target.shown} was written by a newer baton (schema ${current}, this one knows ${PG_MIGRATIONS.length}); upgrade baton or use another ?schema=`,
      );
    }
    for (let v = current; v < PG_MIGRATIONS.length; v++) {
      for (const sql of PG_MIGRATIONS[v]!) await client.query(sql);
    }
    if (current < PG_MIGRATIONS.length) {
      await client.query(
        `INSERT INTO meta (key, value) VALUES ('schema_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(PG_MIGRATIONS.length)],
      );
      log?.info('brought the PostgreSQL schema up to date', {
        schema: target.schema,
        from: current,
        to: PG_MIGRATIONS.length,
      });
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
