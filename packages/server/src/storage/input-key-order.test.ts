import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { terminalSessionRecord } from '../testing/session-record.js';
import { tempDataDir } from '../testing/test-server.js';
import { SqliteStore } from './sqlite-store.js';

const DEVICES = 10;
const PAGE = 4096;
const FRAME = PAGE + 24;

/**
 * Schema 14 orders the dedupe keys (session, input id, device): inputs whose ids grow with time,
 * as the SDK makes them, then land at the end of one range whichever device sent them. Ten
 * devices' inputs in one commit, as the group commit stores what one loop iteration read, write a
 * page or two of that b-tree; ordered by device first they wrote one page per device. Counted in
 * WAL frames, which the commits alone write while no checkpoint runs.
 */
test('a commit of ten devices’ time-ordered inputs writes a page or two of the dedupe keys, not one per device', async () => {
  const dir = tempDataDir('baton-key-order-');
  const file = join(dir.dir, 'baton.db');
  const store = new SqliteStore(file, { checkpointIntervalMs: 3_600_000 });
  try {
    await store.insertSession(terminalSessionRecord('s1'));
    let seq = 0;
    let n = 0;
    // Time-ordered ids as any client's: a growing prefix, a random tail.
    const nextId = () => `${String(++n).padStart(12, '0')}-${randomBytes(6).toString('hex')}`;
    const commitTen = async () => {
      const inputs = Array.from({ length: DEVICES }, (_, d) => ({
        deviceId: `d_device${d}`,
        inputId: nextId(),
        seq: ++seq,
        payloadDigest: randomBytes(32).toString('hex'),
      }));
      await store.commit([
        {
          sessionId: 's1',
          events: inputs.map((i) => ({
            seq: i.seq,
            ts: 1,
            type: 'input',
            dataJson: JSON.stringify({ deviceId: i.deviceId, inputId: i.inputId, payload: {} }),
          })),
          inputs,
          patch: { headSeq: seq, lastActivityAt: 1 },
        },
      ]);
    };
    // Enough keys first that one page per device would be many pages.
    for (let c = 0; c < 300; c++) await commitTen();
    const before = statSync(`${file}-wal`).size;
    const COMMITS = 200;
    for (let c = 0; c < COMMITS; c++) await commitTen();
    const frames = (statSync(`${file}-wal`).size - before) / FRAME / COMMITS;
    // Measured: 7.2 pages a commit in this order, 21.3 with the same inputs keyed by device first
    // (schema 13), whose keys alone took a page per device and then some.
    assert.ok(frames < 12, `${frames.toFixed(1)} pages written per commit of ${DEVICES} inputs`);
  } finally {
    await store.close();
    dir.remove();
  }
});
