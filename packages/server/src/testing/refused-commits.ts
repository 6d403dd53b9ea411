import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * Makes a running server's SQLite store refuse its commits for as long as the test says: a
 * trigger in the server's own `baton.db` (opened here as a second connection, as WAL allows)
 * aborts every insert of an event while it is on. The server sees what a store that cannot
 * write a session's entry gives it, through its real SqliteStore. Its reads of attachment records
 * can be made to fail the same way.
 */
export function refusedCommits(dataDir: string): {
  refuse(on: boolean): void;
  /** Makes the store's reads of attachment records fail (their table is renamed away) or work. */
  refuseAttachmentLookups(on: boolean): void;
  close(): void;
} {
  const db = new Database(join(dataDir, 'baton.db'));
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS test_refuse_commits (refuse INTEGER NOT NULL);
    DELETE FROM test_refuse_commits;
    INSERT INTO test_refuse_commits (refuse) VALUES (0);
    CREATE TRIGGER IF NOT EXISTS test_refuse_events BEFORE INSERT ON events
      WHEN (SELECT refuse FROM test_refuse_commits) = 1
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
  `);
  const set = db.prepare('UPDATE test_refuse_commits SET refuse = ?');
  return {
    refuse: (on) => void set.run(on ? 1 : 0),
    refuseAttachmentLookups: (on) =>
      void db.exec(
        on
          ? 'ALTER TABLE attachments RENAME TO test_attachments_away'
          : 'ALTER TABLE test_attachments_away RENAME TO attachments',
      ),
    close: () => db.close(),
  };
}

/**
 * The same for a server on PostgreSQL, in the test's own `schema`: after `refuseNext()` the next
 * commit that writes an event waits (a slow round trip, while later appends queue behind it) until
 * `release()`, and then fails as a full disk does (SQLSTATE 53100); the commits after it are
 * written. The wait is on an advisory lock this helper holds, so `waiting()` can tell exactly when
 * the commit is on its way; a sequence counts the inserts, since it is the one thing a failed
 * transaction does not undo.
 */
export async function refusedPgCommits(
  url: string,
  schema: string,
): Promise<{
  refuseNext(): Promise<void>;
  waiting(): Promise<boolean>;
  release(): Promise<void>;
  close(): Promise<void>;
}> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const s = client.escapeIdentifier(schema);
  // A key of this test's own, below 2^31 so that pg_locks shows it whole in `objid`.
  const key = 1 + Math.floor(Math.random() * 0x7ffffffe);
  await client.query(`
    CREATE TABLE ${s}.test_refuse_commits (budget BIGINT NOT NULL);
    INSERT INTO ${s}.test_refuse_commits VALUES (0);
    CREATE SEQUENCE ${s}.test_refuse_inserts;
    CREATE FUNCTION ${s}.test_refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('${s}.test_refuse_inserts') <= (SELECT budget FROM ${s}.test_refuse_commits) THEN
        PERFORM pg_advisory_lock(${key});
        PERFORM pg_advisory_unlock(${key});
        RAISE EXCEPTION 'refused by the test' USING ERRCODE = '53100';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_refuse_events BEFORE INSERT ON ${s}.events
      FOR EACH ROW EXECUTE FUNCTION ${s}.test_refuse_events();
  `);
  return {
    refuseNext: async () => {
      await client.query('SELECT pg_advisory_lock($1)', [key]);
      // The next insert is number `budget`: it fails, and the inserts after it pass.
      await client.query(
        `UPDATE ${s}.test_refuse_commits SET budget = (
           SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) FROM ${s}.test_refuse_inserts)`,
      );
    },
    waiting: async () => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted AND objid = $1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [key],
      );
      return rows[0]!.n > 0;
    },
    release: async () => {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    },
    close: () => client.end(),
  };
}
