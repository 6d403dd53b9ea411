import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../testing/test-server.js';
import Database from 'better-sqlite3';
import { terminalSessionRecord } from '../testing/session-record.js';
import { SqliteStore } from './sqlite-store.js';
import { storeConformance } from './store-conformance.js';

storeConformance('SqliteStore', () => {
  const dir = tempDataDir('baton-store-');
  const store = new SqliteStore(join(dir.dir, 'baton.db'));
  return Promise.resolve({
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  });
});

test('durability modes set synchronous; background checkpoints turn the automatic one off', async () => {
  const dir = tempDataDir('baton-store-');
  try {
    const normal = new SqliteStore(join(dir.dir, 'a.db'));
    assert.deepEqual(normal.settings(), { synchronous: 'NORMAL', walAutocheckpoint: 0 });
    await normal.close();
    const full = new SqliteStore(join(dir.dir, 'b.db'), { durability: 'full' });
    assert.deepEqual(full.settings(), { synchronous: 'FULL', walAutocheckpoint: 0 });
    await full.close();
    const inline = new SqliteStore(join(dir.dir, 'c.db'), { checkpoints: 'inline' });
    assert.deepEqual(inline.settings(), { synchronous: 'NORMAL', walAutocheckpoint: 1000 });
    await inline.close();
  } finally {
    dir.remove();
  }
});

test('a database it cannot use is refused with a clear error and its file is released', async () => {
  const dir = tempDataDir('baton-store-');
  try {
    const file = join(dir.dir, 'baton.db');
    const first = new SqliteStore(file);
    await first.setMeta('schema_version', '999');
    await first.close();
    const openHandles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
        } catch {
          return false; // closed between the listing and the look
        }
      }).length;
    assert.throws(() => new SqliteStore(file), /written by a newer baton/);
    assert.equal(openHandles(), 0, 'no handle on baton.db is left open after the refusal');
  } finally {
    dir.remove();
  }
});

test("plain commits leave the session's row alone; its head and activity come from the newest event, across a restart and a compaction of every event", async () => {
  const dir = tempDataDir('baton-store-');
  const file = join(dir.dir, 'baton.db');
  const rowHead = (): number => {
    const raw = new Database(file, { readonly: true });
    try {
      return (
        raw.prepare("SELECT head_seq FROM sessions WHERE id = 's1'").get() as {
          head_seq: number;
        }
      ).head_seq;
    } finally {
      raw.close();
    }
  };
  try {
    let store = new SqliteStore(file);
    await store.insertSession(terminalSessionRecord('s1'));
    for (let seq = 1; seq <= 3; seq++) {
      const { failed } = await store.commit([
        {
          sessionId: 's1',
          events: [{ seq, ts: 5000 + seq, type: 'terminal.output', dataJson: '{"data":"x"}' }],
          inputs: [{ deviceId: 'd_a', inputId: `i${seq}`, seq, payloadDigest: 'p' }],
          patch: { headSeq: seq, lastActivityAt: 5000 + seq },
        },
      ]);
      assert.equal(failed.size, 0);
    }
    assert.equal(rowHead(), 0, 'the row was not written by plain commits');
    let s = await store.getSession('s1');
    assert.equal(s?.headSeq, 3);
    assert.equal(s?.lastActivityAt, 5003);
    assert.equal((await store.listSessions())[0]?.headSeq, 3);

    await store.close();
    store = new SqliteStore(file);
    assert.equal((await store.getSession('s1'))?.headSeq, 3, 'after a restart');

    // A status change writes the row, head included.
    await store.commit([
      {
        sessionId: 's1',
        events: [{ seq: 4, ts: 5004, type: 'terminal.output', dataJson: '{"data":"y"}' }],
        inputs: [],
        patch: { headSeq: 4, lastActivityAt: 5004, status: 'exited' },
      },
    ]);
    assert.equal(rowHead(), 4);
    await store.commit([
      {
        sessionId: 's1',
        events: [{ seq: 5, ts: 5005, type: 'terminal.output', dataJson: '{"data":"z"}' }],
        inputs: [],
        patch: { headSeq: 5, lastActivityAt: 5005 },
      },
    ]);
    // Compacting every event keeps the head: it is written into the row first.
    await store.compact('s1', 5);
    assert.deepEqual(await store.readEvents('s1', 0, 10), []);
    s = await store.getSession('s1');
    assert.equal(s?.headSeq, 5);
    assert.equal(s?.lastActivityAt, 5005);
    assert.equal(s?.firstSeq, 6);

    // A session deleted before the commit: its entry is refused, nothing is stored.
    await store.deleteSession('s1');
    const { failed } = await store.commit([
      {
        sessionId: 's1',
        events: [{ seq: 6, ts: 5006, type: 'terminal.output', dataJson: '{}' }],
        inputs: [],
        patch: { headSeq: 6, lastActivityAt: 5006 },
      },
    ]);
    assert.match(failed.get('s1')?.message ?? '', /is not stored/);
    assert.deepEqual(await store.readEvents('s1', 0, 10), []);
    await store.close();
  } finally {
    dir.remove();
  }
});
