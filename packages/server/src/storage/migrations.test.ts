import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDataDir } from '../testing/test-server.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';
import { inputKey } from './store.js';

test('a database written by schema 1 keeps its sessions and input ids after the migrations', async () => {
  const dir = tempDataDir('baton-migrate-');
  try {
    const file = join(dir.dir, 'baton.db');
    // A real schema-1 file, as the first released baton wrote it.
    const old = new Database(file);
    old.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const sql of MIGRATIONS[0]!) old.exec(sql);
    old.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '1')").run();
    old
      .prepare(
        `INSERT INTO sessions (id, name, kind, status, config, created_at, last_activity_at, head_seq, first_seq)
         VALUES ('s1', 'n', 'terminal', 'exited', '{}', 1, 1, 3, 1)`,
      )
      .run();
    old.prepare("INSERT INTO inputs (session_id, input_id, seq) VALUES ('s1', 'old-1', 2)").run();
    old.close();

    const store = new SqliteStore(file);
    try {
      assert.equal(await store.getMeta('schema_version'), String(MIGRATIONS.length));
      const s = await store.getSession('s1');
      assert.equal(s?.headSeq, 3);
      assert.equal(s?.epoch, '', 'given an epoch when the server loads it');
      // An input stored before per-device dedupe is still a duplicate, from any device.
      for (const deviceId of ['d_a', 'd_b']) {
        const key = { deviceId, inputId: 'old-1' };
        assert.deepEqual((await store.findInputs('s1', [key])).get(inputKey(key)), { seq: 2 });
      }
      // New rows are per device.
      await store.commit([
        {
          sessionId: 's1',
          events: [{ seq: 4, ts: 1, type: 'terminal.output', dataJson: '{"data":"x"}' }],
          inputs: [{ deviceId: 'd_a', inputId: 'new-1', seq: 4, payloadDigest: 'p' }],
          patch: { headSeq: 4, lastActivityAt: 2 },
        },
      ]);
      const theirs = { deviceId: 'd_b', inputId: 'new-1' };
      assert.equal((await store.findInputs('s1', [theirs])).size, 0);
      // One lookup of many keys (as a commit batch asks): where a device's own row and one from
      // before per-device dedupe share an input id, the device's own is the one found.
      await store.commit([
        {
          sessionId: 's1',
          events: [{ seq: 5, ts: 1, type: 'terminal.output', dataJson: '{"data":"y"}' }],
          inputs: [{ deviceId: 'd_a', inputId: 'old-1', seq: 5, payloadDigest: 'q' }],
          patch: { headSeq: 5, lastActivityAt: 3 },
        },
      ]);
      const keys = [
        { deviceId: 'd_b', inputId: 'old-1' },
        { deviceId: 'd_a', inputId: 'old-1' },
        { deviceId: 'd_a', inputId: 'new-1' },
        theirs,
        { deviceId: 'd_a', inputId: 'old-1' },
      ];
      const found = await store.findInputs('s1', keys);
      assert.deepEqual(
        [...found].sort(([a], [b]) => a.localeCompare(b)),
        [
          [inputKey(keys[1]!), { seq: 5, payloadDigest: 'q' }],
          [inputKey(keys[2]!), { seq: 4, payloadDigest: 'p' }],
          [inputKey(keys[0]!), { seq: 2 }],
        ].sort(([a], [b]) => String(a).localeCompare(String(b))),
      );
    } finally {
      await store.close();
    }
  } finally {
    dir.remove();
  }
});

test("a relay's host out numbers move from meta rows onto their sessions, and the rows go", async () => {
  const dir = tempDataDir('baton-migrate-');
  try {
    const file = join(dir.dir, 'baton.db');
    // A schema-10 relay database: numbers kept as `relay.out.<session>` meta rows, one of them
    // left behind by a session deleted since.
    const old = new Database(file);
    old.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const sql of MIGRATIONS.slice(0, 10).flat()) old.exec(sql);
    old.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '10')").run();
    const insert = old.prepare(
      `INSERT INTO sessions (id, name, kind, status, config, created_at, last_activity_at, head_seq, first_seq)
       VALUES (?, 'n', 'terminal', 'running', '{}', 1, 1, 3, 1)`,
    );
    insert.run('s1');
    insert.run('s2');
    const meta = old.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    meta.run('relay.out.s1', '12');
    meta.run('relay.out.gone', '5');
    meta.run('relay.hosts', '[]');
    old.close();

    const store = new SqliteStore(file);
    try {
      assert.equal((await store.getSession('s1'))?.hostOut, 12);
      assert.equal((await store.getSession('s2'))?.hostOut, undefined);
      assert.equal(await store.getMeta('relay.out.s1'), undefined);
      assert.equal(await store.getMeta('relay.out.gone'), undefined, "a deleted session's row");
      assert.equal(await store.getMeta('relay.hosts'), '[]', 'other meta rows stay');
    } finally {
      await store.close();
    }
  } finally {
    dir.remove();
  }
});

test('attachments stored before uses were recorded are kept for good, and any session reads them', async () => {
  const dir = tempDataDir('baton-migrate-');
  try {
    const file = join(dir.dir, 'baton.db');
    const old = new Database(file);
    old.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const sql of MIGRATIONS.slice(0, 14).flat()) old.exec(sql);
    old.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '14')").run();
    old
      .prepare(
        `INSERT INTO sessions (id, name, kind, status, config, created_at, last_activity_at, head_seq, first_seq)
         VALUES ('s1', 'n', 'claude', 'running', '{}', 1, 1, 0, 1)`,
      )
      .run();
    const id = 'e'.repeat(64);
    old
      .prepare(
        "INSERT INTO attachments (id, type, size, created_at, data) VALUES (?, 'text/plain', 1, 1, ?)",
      )
      .run(id, Buffer.from('x'));
    old.close();

    const store = new SqliteStore(file);
    try {
      assert.deepEqual([...(await store.describeAttachments('s1', [id])).keys()], [id]);
      assert.deepEqual([...(await store.describeAttachments('other', [id])).keys()], [id]);
      await store.useAttachments('s1', [id]);
      await store.deleteSession('s1');
      assert.ok(await store.getAttachment(id), 'no session it was used by can be known: kept');
    } finally {
      await store.close();
    }
  } finally {
    dir.remove();
  }
});
