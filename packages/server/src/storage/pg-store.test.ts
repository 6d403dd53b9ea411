import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { tempPgSchema, TEST_PG_URL } from '../testing/pg-test-schema.js';
import { terminalSessionRecord } from '../testing/session-record.js';
import { waitUntil } from '../testing/test-server.js';
import { PgStore } from './pg-store.js';
import { storeConformance } from './store-conformance.js';

/** The same behaviour as SqliteStore, against a real PostgreSQL, each test in a fresh schema. */
storeConformance('PgStore', async () => {
  const schema = await tempPgSchema();
  const store = await PgStore.open(schema.url);
  return {
    store,
    dispose: async () => {
      await store.close();
      await schema.drop();
    },
  };
});

test('PgStore: a schema written by a newer baton is refused with a clear error', async () => {
  const schema = await tempPgSchema();
  try {
    const first = await PgStore.open(schema.url);
    await first.setMeta('schema_version', '999');
    await first.close();
    await assert.rejects(PgStore.open(schema.url), /written by a newer baton \(schema 999/);
  } finally {
    await schema.drop();
  }
});

test('PgStore: opening again keeps what is stored (no second migration)', async () => {
  const schema = await tempPgSchema();
  try {
    const first = await PgStore.open(schema.url);
    await first.insertSession(terminalSessionRecord('s1'));
    await first.close();
    const again = await PgStore.open(schema.url);
    assert.equal((await again.getSession('s1'))?.id, 's1');
    await again.close();
  } finally {
    await schema.drop();
  }
});

test('PgStore: an unreachable server, a missing database and a bad URL are told apart', async () => {
  await assert.rejects(
    PgStore.open('postgres://postgres:secret@127.0.0.1:1/test', { connectTimeoutMs: 2_000 }),
    (err: Error) => {
      assert.match(
        err.message,
        /cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1/,
      );
      assert.doesNotMatch(err.message, /secret/, 'the password is never shown');
      return true;
    },
  );
  const missing = new URL(TEST_PG_URL);
  missing.pathname = '/baton_no_such_database';
  await assert.rejects(PgStore.open(missing.toString()), /does not exist: create it/);
  await assert.rejects(PgStore.open('mysql://localhost/baton'), /must be a postgres:\/\/ URL/);
  await assert.rejects(PgStore.open('postgres://localhost/'), /must name a host and a database/);
  await assert.rejects(
    PgStore.open(`${TEST_PG_URL}?schema=Robert');DROP`),
    /lower-case letters, digits and _/,
  );
});

test('PgStore: a batch whose connection dies rejects whole, and the pool goes on', async () => {
  const schema = await tempPgSchema();
  const store = await PgStore.open(schema.url, { poolSize: 2 });
  // One connection holds a lock; the other watches (activity is read outside any transaction:
  // inside one, pg_stat_activity is a snapshot taken at its first read).
  const [other, watcher] = [TEST_PG_URL, TEST_PG_URL].map((u) => new pg.Client(u)) as [
    pg.Client,
    pg.Client,
  ];
  await Promise.all([other.connect(), watcher.connect()]);
  try {
    await store.insertSession(terminalSessionRecord('s1'));
    await store.insertSession(terminalSessionRecord('s2'));
    const entry = (sessionId: string) => ({
      sessionId,
      events: [{ seq: 1, ts: 1, type: 'terminal.output' as const, dataJson: '{"data":"x"}' }],
      inputs: [],
      patch: { headSeq: 1, lastActivityAt: 1 },
    });
    // Another connection holds the second session's row, so the commit stops mid-batch (the
    // first entry written, the second waiting on the lock); then its backend is ended.
    await other.query(`SET search_path = ${schema.schema}`);
    await other.query('BEGIN');
    await other.query("SELECT * FROM sessions WHERE id = 's2' FOR UPDATE");
    const otherPid = Number((await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const committing = store.commit([entry('s1'), entry('s2')]);
    // Only the backend that waits on this test's lock: other test files may share the database.
    const waiting = `SELECT pid FROM pg_stat_activity
      WHERE application_name = 'baton' AND ${otherPid} = ANY(pg_blocking_pids(pid))`;
    await waitUntil(
      async () => (await watcher.query(waiting)).rows.length > 0,
      'the commit waiting on the lock',
    );
    await watcher.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) w`);
    await assert.rejects(committing, 'the commit is refused whole');
    await other.query('ROLLBACK');
    assert.deepEqual(await store.readEvents('s1', 0, 10), [], 'nothing of the batch is stored');
    const outcome = await store.commit([entry('s1'), entry('s2')]);
    assert.equal(outcome.failed.size, 0, 'the next commit gets a working connection');
    assert.equal((await store.getSession('s2'))?.headSeq, 1);
  } finally {
    await Promise.all([other.end(), watcher.end()]);
    await store.close();
    await schema.drop();
  }
});

test('PgStore: one server per schema, and the lock is taken again after its connection broke', async () => {
  const schema = await tempPgSchema();
  const first = await PgStore.open(schema.url);
  const admin = new pg.Client(TEST_PG_URL);
  await admin.connect();
  try {
    const inUse =
      /the schema 'baton_test_\w+' at .* is in use by another baton server; stop that server first/;
    await assert.rejects(PgStore.open(schema.url), inUse);
    // PostgreSQL ends the connection holding the lock (as a restart of it would).
    const holder = async () =>
      (
        await admin.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
          [`baton lock ${schema.schema}`],
        )
      ).rows[0]?.pid;
    const before = await holder();
    assert.ok(before !== undefined);
    await admin.query('SELECT pg_terminate_backend($1)', [before]);
    await waitUntil(async () => {
      const now = await holder();
      return now !== undefined && now !== before;
    }, 'the lock to be taken again on a new connection');
    await assert.rejects(PgStore.open(schema.url), inUse, 'held again');
    await first.insertSession(terminalSessionRecord('s1'));
  } finally {
    await admin.end();
    await first.close();
    await schema.drop();
  }
});
