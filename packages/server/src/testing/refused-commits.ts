import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * Makes a running server's SQLite store refuse its commits for as long as the test says: a
 * trigger in the server's own `baton.db` (opened here as a second connection, as WAL allows)
 * aborts every insert of an event while it is on. The server sees what a store that cannot
 * write a session's entry gives it, through its real SqliteStore.
 */
export function refusedCommits(dataDir: string): {
  refuse(on: boolean): void;
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
    close: () => db.close(),
  };
}

/**
 * The same for a server on PostgreSQL, in the test's own `schema`: `refuseNext(ms)` makes the next
 * commit that writes an event take `ms` (a slow round trip, while later appends queue behind it)
 * and then fail as a full disk does (SQLSTATE 53100); the commits after it are written. A
 * sequence counts the inserts, since it is the one thing a failed transaction does not undo.
 * `slowCommits()` is how many such commits are running right now.
 */
export async function refusedPgCommits(
  url: string,
  schema: string,
): Promise<{
  refuseNext(ms: number): Promise<void>;
  slowCommits(): Promise<number>;
  close(): Promise<void>;
}> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const s = client.escapeIdentifier(schema);
  await client.query(`
    CREATE TABLE ${s}.test_refuse_commits (budget BIGINT NOT NULL, delay_ms INTEGER NOT NULL);
    INSERT INTO ${s}.test_refuse_commits VALUES (0, 0);
    CREATE SEQUENCE ${s}.test_refuse_inserts;
    CREATE FUNCTION ${s}.test_refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE r ${s}.test_refuse_commits;
    BEGIN
      SELECT * INTO r FROM ${s}.test_refuse_commits;
      IF nextval('${s}.test_refuse_inserts') <= r.budget THEN
        PERFORM pg_sleep(r.delay_ms / 1000.0);
        RAISE EXCEPTION 'refused by the test' USING ERRCODE = '53100';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_refuse_events BEFORE INSERT ON ${s}.events
      FOR EACH ROW EXECUTE FUNCTION ${s}.test_refuse_events();
  `);
  return {
    refuseNext: async (ms) => {
      // The next insert is number budget: it fails, and the inserts after it pass.
      const { rows } = await client.query<{ last: string }>(
        `SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) AS last
           FROM ${s}.test_refuse_inserts`,
      );
      await client.query(`UPDATE ${s}.test_refuse_commits SET budget = $1, delay_ms = $2`, [
        rows[0]!.last,
        ms,
      ]);
    },
    slowCommits: async () => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event = 'PgSleep' AND query LIKE '%events%'`,
      );
      return rows[0]!.n;
    },
    close: () => client.end(),
  };
}
