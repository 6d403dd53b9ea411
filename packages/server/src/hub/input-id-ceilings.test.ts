import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../storage/sqlite-store.js';
import type { InputKey, Store } from '../storage/store.js';
import type { SessionLease } from '../storage/session-lease.js';
import { tempDataDir } from '../testing/test-server.js';
import { terminalSessionRecord } from '../testing/session-record.js';
import { InputIdCeilings } from './input-id-ceilings.js';
import { LogWriter, type AppendResult, type SessionLogState } from './log-writer.js';
import { payloadDigest } from './payload-digest.js';

/** A writer on a real SQLite file whose duplicate lookups are counted, key by key. */
function writerOn(store: SqliteStore) {
  const looked: string[] = [];
  const counting: Store = Object.assign(Object.create(store) as Store, {
    findInputs: (sessionId: string, keys: readonly InputKey[]) => {
      looked.push(...keys.map((k) => k.inputId));
      return store.findInputs(sessionId, keys);
    },
  });
  return { writer: new LogWriter(counting, () => {}), looked };
}

const input = (inputId: string, deviceId = 'd_a', data = 'x') => ({
  type: 'input' as const,
  data: { inputId, deviceId, payload: { kind: 'terminal' as const, data } },
});

const seqOf = (r: AppendResult) => (r.duplicate ? r.seq : r.committed[0]!.seq);

test('inputs with ids above every stored one are stored without a lookup; every retry is still a duplicate', async () => {
  const dir = tempDataDir('baton-ceiling-');
  const file = join(dir.dir, 'baton.db');
  let store = new SqliteStore(file);
  try {
    await store.insertSession(terminalSessionRecord('s1'));
    let { writer, looked } = writerOn(store);
    const log: SessionLogState = { sessionId: 's1', headSeq: 0, lastActivityAt: 1 };
    // Ids in time order, as the SDK makes them; ten devices in one batch.
    const first = await Promise.all(
      Array.from({ length: 10 }, (_, i) => writer.appendInput(log, input(`t0${i}`, `d_${i}`))),
    );
    assert.deepEqual(first.map(seqOf), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const next = await writer.appendInput(log, input('t10'));
    assert.equal(seqOf(next), 11);
    assert.deepEqual(looked, [], 'fresh ids above the ceiling are not looked up');

    // A retry of a stored input: at or below the ceiling, so looked up, and a duplicate.
    const retry = await writer.appendInput(log, input('t05', 'd_5'));
    assert.deepEqual(retry, { duplicate: true, seq: 6 });
    // The same id twice in one batch: the second is a duplicate of the first.
    const twice = await Promise.all([
      writer.appendInput(log, input('t20')),
      writer.appendInput(log, input('t20')),
    ]);
    assert.equal(twice[0]!.duplicate, false);
    assert.deepEqual(twice[1], { duplicate: true, seq: 12 });
    // A new id below the ceiling (a device whose clock is behind) is looked up and stored.
    looked.length = 0;
    const late = await writer.appendInput(log, input('t015', 'd_b'));
    assert.deepEqual(late.duplicate, false);
    assert.deepEqual(looked, ['t015']);

    // After a restart the ceiling is read from the file: the newest id's retry is a duplicate.
    await store.close();
    store = new SqliteStore(file);
    ({ writer, looked } = writerOn(store));
    const reopened: SessionLogState = { sessionId: 's1', headSeq: 13, lastActivityAt: 1 };
    assert.deepEqual(await writer.appendInput(reopened, input('t20')), {
      duplicate: true,
      seq: 12,
    });
    assert.deepEqual(await store.inputIdCeiling('s1'), 't20');
    assert.equal(seqOf(await writer.appendInput(reopened, input('t30'))), 14);
  } finally {
    await store.close();
    dir.remove();
  }
});

test('a ceiling read under one lease is read again under the next: ids stored meanwhile stay duplicates', async () => {
  const dir = tempDataDir('baton-ceiling-');
  const store = new SqliteStore(join(dir.dir, 'baton.db'));
  try {
    await store.insertSession(terminalSessionRecord('s1'));
    const { writer } = writerOn(store);
    const leaseA: SessionLease = { sessionId: 's1', owner: 'node-a', epoch: 1 };
    const log: SessionLogState = { sessionId: 's1', headSeq: 0, lastActivityAt: 1, lease: leaseA };
    assert.equal(seqOf(await writer.appendInput(log, input('t1'))), 1);
    // Another owner stored an input with a higher id while this node did not hold the session.
    await store.commit([
      {
        sessionId: 's1',
        events: [{ seq: 2, ts: 1, type: 'input', dataJson: JSON.stringify(input('t9').data) }],
        inputs: [
          {
            deviceId: 'd_a',
            inputId: 't9',
            seq: 2,
            payloadDigest: payloadDigest(input('t9').data.payload),
          },
        ],
        patch: { headSeq: 2, lastActivityAt: 1 },
      },
    ]);
    log.lease = { sessionId: 's1', owner: 'node-a', epoch: 3 };
    log.headSeq = 2;
    // Its retry here is found, not stored again.
    assert.deepEqual(await writer.appendInput(log, input('t9')), { duplicate: true, seq: 2 });
  } finally {
    await store.close();
    dir.remove();
  }
});

test('a document write does not lift the ceiling: later inputs are still stored without a lookup, and its key is always looked up', async () => {
  const dir = tempDataDir('baton-ceiling-');
  const store = new SqliteStore(join(dir.dir, 'baton.db'));
  try {
    await store.insertSession(terminalSessionRecord('s1'));
    const { writer, looked } = writerOn(store);
    const log: SessionLogState = { sessionId: 's1', headSeq: 0, lastActivityAt: 1 };
    assert.equal(seqOf(await writer.appendInput(log, input('0193a1'))), 1);
    // A shared document's write is kept under 'doc/<writeId>' beside the input ids.
    await store.commit([
      {
        sessionId: 's1',
        events: [{ seq: 2, ts: 1, type: 'input', dataJson: '{}' }],
        inputs: [{ deviceId: 'd_a', inputId: 'doc/0193a2', seq: 2, payloadDigest: 'p' }],
        patch: { headSeq: 2, lastActivityAt: 1 },
      },
    ]);
    log.headSeq = 2;
    // A writer that reads the ceiling after it (a restart) still skips the fresh inputs.
    const { writer: next, looked: nextLooked } = writerOn(store);
    const reopened: SessionLogState = { sessionId: 's1', headSeq: 2, lastActivityAt: 1 };
    assert.equal(seqOf(await next.appendInput(reopened, input('0193a3'))), 3);
    assert.deepEqual(nextLooked, [], 'a fresh input above the stored input ids is not looked up');
    // A document key is looked up whatever the ceiling, and never raises it.
    const ceilings = new InputIdCeilings(store);
    const docKey = { deviceId: 'd_a', inputId: 'doc/0193a2' };
    assert.deepEqual(await ceilings.mayBeStored(reopened, [docKey]), [docKey]);
    assert.deepEqual(
      await ceilings.mayBeStored(reopened, [{ deviceId: 'd_a', inputId: '0193a4' }]),
      [],
    );
    assert.deepEqual(looked, []);
  } finally {
    await store.close();
    dir.remove();
  }
});
