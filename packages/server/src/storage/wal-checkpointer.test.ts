import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDataDir, waitUntil } from '../testing/test-server.js';
import { SqliteStore } from './sqlite-store.js';
import { terminalSessionRecord } from '../testing/session-record.js';

test('commits never checkpoint; a worker thread does, and the WAL stays bounded', async () => {
  const dir = tempDataDir('baton-wal-');
  const file = join(dir.dir, 'baton.db');
  // A long interval: only the explicit requests below checkpoint, so the test controls when.
  const store = new SqliteStore(file, { checkpointIntervalMs: 60_000 });
  try {
    await store.insertSession(terminalSessionRecord('s1'));
    const payload = JSON.stringify({ data: 'x'.repeat(4000) });
    let seq = 0;
    const round = async () => {
      // About 1 MiB per round, in commits of 16 events.
      for (let c = 0; c < 16; c++) {
        const events = Array.from({ length: 16 }, () => ({
          seq: ++seq,
          ts: 1,
          type: 'terminal.output' as const,
          dataJson: payload,
        }));
        await store.commit([
          { sessionId: 's1', events, inputs: [], patch: { headSeq: seq, lastActivityAt: 1 } },
        ]);
      }
    };
    const walSize = () => statSync(`${file}-wal`).size;

    // About 6 MiB (1500 pages): SQLite's automatic checkpoint would have run inside the commit
    // that crossed 1000 pages and restarted the WAL, so it would hold at most ~4 MiB.
    for (let i = 0; i < 6; i++) await round();
    assert.ok(walSize() > 5.5 * 1024 * 1024, 'no checkpoint ran inside a commit');

    let maxFrames = 0;
    for (let i = 0; i < 20; i++) {
      const before = store.walCheckpoints!.checkpoints;
      store.checkpointSoon();
      const last = await waitUntil(() => {
        const stats = store.walCheckpoints!;
        return stats.checkpoints > before && stats.last!.log === stats.last!.checkpointed
          ? stats.last
          : false;
      }, 'a complete checkpoint by the worker');
      if (i > 0) maxFrames = Math.max(maxFrames, last!.log);
      await round();
    }
    assert.ok(
      maxFrames > 0 && maxFrames < 600,
      `26 MiB were written, yet the WAL held at most ${maxFrames} frames (one round): it restarts after each checkpoint`,
    );
    assert.equal(store.walCheckpoints!.lastError, undefined);
  } finally {
    await store.close();
  }
  const check = new Database(file, { readonly: true });
  try {
    const rows = check.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
    assert.equal(rows.n, 26 * 256, 'every committed event is in the database');
  } finally {
    check.close();
    dir.remove();
  }
});
