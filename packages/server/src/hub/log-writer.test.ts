import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../storage/sqlite-store.js';
import type { CommitEntry, Store } from '../storage/store.js';
import { tempDataDir } from '../testing/test-server.js';
import type { CommittedEvent } from './event-frame.js';
import { LogWriter, type SessionLogState } from './log-writer.js';
import type { BatonError } from '../baton-error.js';
import { terminalSessionRecord } from '../testing/session-record.js';

async function setup(wrap: (s: Store) => Store = (s) => s) {
  const dir = tempDataDir('baton-writer-');
  const sqlite = new SqliteStore(join(dir.dir, 'baton.db'));
  const store = wrap(sqlite);
  await store.insertSession(terminalSessionRecord('s1'));
  const fanned: CommittedEvent[] = [];
  const commits: number[] = [];
  const counting: Store = Object.assign(Object.create(store) as Store, {
    commit: (b: readonly CommitEntry[]) => {
      commits.push(b.reduce((n, e) => n + e.events.length, 0));
      return store.commit(b);
    },
  });
  const writer = new LogWriter(counting, (_log, events) => fanned.push(...events));
  const log: SessionLogState = { sessionId: 's1', headSeq: 0, lastActivityAt: 1 };
  return {
    writer,
    log,
    fanned,
    commits,
    store: sqlite,
    dispose: async () => {
      await sqlite.close();
      dir.remove();
    },
  };
}

/** A writer whose store fails every commit (as a full disk does) until `fail.off()`. */
async function setupFailing() {
  let failing = true;
  const t = await setup((s) =>
    Object.assign(Object.create(s) as Store, {
      commit: (b: readonly CommitEntry[]) =>
        failing ? Promise.reject(new Error('disk full')) : s.commit(b),
    }),
  );
  return { t, fail: { off: () => void (failing = false), on: () => void (failing = true) } };
}

const output = (data: string) => [{ type: 'terminal.output' as const, data: { data } }];

const input = (inputId: string) => ({
  type: 'input' as const,
  data: { inputId, deviceId: 'd', payload: { kind: 'terminal' as const, data: 'x' } },
});

test('concurrent appends share one commit, keep arrival order and are fanned out after the commit', async () => {
  const t = await setup();
  try {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.writer.appendInput(t.log, input(`i${i}`))),
    );
    assert.deepEqual(
      results.map((r) => (r.duplicate ? -1 : r.committed[0]!.seq)),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.deepEqual(t.commits, [50], 'one transaction for the whole group');
    assert.deepEqual(
      t.fanned.map((e) => e.seq),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.equal((await t.store.readEvents('s1', 0, 100)).length, 50);
  } finally {
    await t.dispose();
  }
});

test('duplicates in the same batch and across batches get the original seq and burn no number', async () => {
  const t = await setup();
  try {
    const [a, b] = await Promise.all([
      t.writer.appendInput(t.log, input('same')),
      t.writer.appendInput(t.log, input('same')),
    ]);
    assert.deepEqual(a.duplicate ? a : { seq: a.committed[0]!.seq }, { seq: 1 });
    assert.deepEqual(b, { duplicate: true, seq: 1 });
    const c = await t.writer.appendInput(t.log, input('same'));
    assert.deepEqual(c, { duplicate: true, seq: 1 });
    const d = await t.writer.appendInput(t.log, input('next'));
    assert.equal(!d.duplicate && d.committed[0]!.seq, 2);
  } finally {
    await t.dispose();
  }
});

test('a failed commit rejects its appends, fans nothing out and leaves no gap', async () => {
  const { t, fail } = await setupFailing();
  try {
    await assert.rejects(t.writer.appendInput(t.log, input('a')), /cannot write \(disk full\)/);
    assert.equal(t.fanned.length, 0);
    assert.equal(t.log.headSeq, 0, 'the head is rolled back');
    fail.off();
    const ok = await t.writer.appendInput(t.log, input('a'));
    assert.equal(!ok.duplicate && ok.committed[0]!.seq, 1, 'the number is reused: no gap');
  } finally {
    await t.dispose();
  }
});

test('after a refused commit, the inputs its device sent before hearing are refused too, until it sends a refused one again', async () => {
  const { t, fail } = await setupFailing();
  const from = (deviceId: string, inputId: string) => ({
    type: 'input' as const,
    data: { inputId, deviceId, payload: { kind: 'terminal' as const, data: inputId } },
  });
  const seqOf = (r: Awaited<ReturnType<LogWriter['appendInput']>>) =>
    r.duplicate ? -1 : r.committed[0]!.seq;
  try {
    await assert.rejects(t.writer.appendInput(t.log, from('d', 'a1')), /cannot write/);
    fail.off();
    // Sent before the device heard of the refusal: the store works again, but storing it now
    // would put it ahead of a1 in the log.
    await assert.rejects(t.writer.appendInput(t.log, from('d', 'a2')), (err: BatonError) => {
      assert.equal(err.code, 'unavailable');
      assert.match(err.message, /earlier input of this device .* send the refused inputs again/);
      return true;
    });
    // Another device is not held, nor are appends that are not inputs (runner output, a
    // document write keyed by the same device).
    const other = await t.writer.appendInput(t.log, from('e', 'b1'));
    assert.equal(seqOf(other), 1);
    assert.equal((await t.writer.append(t.log, output('out')))[0]!.seq, 2);
    const doc = await t.writer.appendOnce(t.log, output('doc'), {
      deviceId: 'd',
      inputId: 'doc-1',
      digest: 'x',
    });
    assert.equal(seqOf(doc), 3);
    // The device sends its refused inputs again, in order: the hold opens at the first.
    assert.equal(seqOf(await t.writer.appendInput(t.log, from('d', 'a1'))), 4);
    assert.equal(seqOf(await t.writer.appendInput(t.log, from('d', 'a2'))), 5);
    assert.equal(seqOf(await t.writer.appendInput(t.log, from('d', 'a3'))), 6);
    assert.deepEqual(
      (await t.store.readEvents('s1', 0, 10)).map(
        (e) => (JSON.parse(e.dataJson) as { inputId?: string }).inputId,
      ),
      ['b1', undefined, undefined, 'a1', 'a2', 'a3'],
    );
  } finally {
    await t.dispose();
  }
});

test('a new input that overtakes a held one on its way back is held in turn', async () => {
  const { t, fail } = await setupFailing();
  const seqOf = (r: Awaited<ReturnType<LogWriter['appendInput']>>) =>
    r.duplicate ? -1 : r.committed[0]!.seq;
  try {
    await assert.rejects(t.writer.appendInput(t.log, input('a1')), /cannot write/);
    fail.off();
    await assert.rejects(t.writer.appendInput(t.log, input('a2')), /was not stored, so this one/);
    // The client heard of a1's refusal, not yet of a2's: it sends a1 again and a new a3.
    assert.equal(seqOf(await t.writer.appendInput(t.log, input('a1'))), 1);
    await assert.rejects(t.writer.appendInput(t.log, input('a3')), /was not stored, so this one/);
    assert.equal(seqOf(await t.writer.appendInput(t.log, input('a2'))), 2);
    assert.equal(seqOf(await t.writer.appendInput(t.log, input('a3'))), 3);
  } finally {
    await t.dispose();
  }
});

test('an input sent again whose commit fails again is still stored before the inputs made after it', async () => {
  const { t, fail } = await setupFailing();
  const held = /was not stored, so this one/;
  try {
    await assert.rejects(t.writer.appendInput(t.log, input('a')), /cannot write/);
    fail.off();
    await assert.rejects(t.writer.appendInput(t.log, input('b')), held);
    await assert.rejects(t.writer.appendInput(t.log, input('c')), held);
    // The device sends a, b and c again. a's commit fails again, and b and c arrive before the
    // device has heard of that: storing them now would put them ahead of a.
    fail.on();
    await assert.rejects(t.writer.appendInput(t.log, input('a')), /cannot write/);
    fail.off();
    await assert.rejects(t.writer.appendInput(t.log, input('b')), held);
    await assert.rejects(t.writer.appendInput(t.log, input('c')), held);
    const again = await Promise.all(
      ['a', 'b', 'c'].map((id) => t.writer.appendInput(t.log, input(id))),
    );
    assert.deepEqual(
      again.map((r) => (r.duplicate ? -1 : r.committed[0]!.seq)),
      [1, 2, 3],
    );
    assert.deepEqual(
      (await t.store.readEvents('s1', 0, 10)).map(
        (e) => (JSON.parse(e.dataJson) as { inputId?: string }).inputId,
      ),
      ['a', 'b', 'c'],
    );
  } finally {
    await t.dispose();
  }
});

test('a copy of an input stored before a hold is answered as a duplicate, not held', async () => {
  const { t, fail } = await setupFailing();
  const held = /was not stored, so this one/;
  try {
    fail.off();
    await t.writer.appendInput(t.log, input('a'));
    fail.on();
    await assert.rejects(t.writer.appendInput(t.log, input('b')), /cannot write/);
    fail.off();
    // Copies of a from connections that closed before its ack arrived: nothing to hold.
    const copies = ['c', 'a', 'a'].map((id) => t.writer.appendInput(t.log, input(id)));
    await assert.rejects(copies[0]!, held);
    assert.deepEqual(await copies[1], { duplicate: true, seq: 1 });
    assert.deepEqual(await copies[2], { duplicate: true, seq: 1 });
    const again = await Promise.all(['b', 'c'].map((id) => t.writer.appendInput(t.log, input(id))));
    assert.deepEqual(
      again.map((r) => (r.duplicate ? -1 : r.committed[0]!.seq)),
      [2, 3],
    );
  } finally {
    await t.dispose();
  }
});

test('a second copy of an input in a batch that fails is refused with it and keeps the hold', async () => {
  const { t, fail } = await setupFailing();
  try {
    fail.on();
    // Two copies in one batch (two windows of the device): the second is no proof a was stored.
    const copies = ['a', 'a'].map((id) => t.writer.appendInput(t.log, input(id)));
    for (const copy of copies) await assert.rejects(copy, /cannot write/);
    fail.off();
    await assert.rejects(t.writer.appendInput(t.log, input('b')), /was not stored, so this one/);
    const again = await Promise.all(['a', 'b'].map((id) => t.writer.appendInput(t.log, input(id))));
    assert.deepEqual(
      again.map((r) => (r.duplicate ? -1 : r.committed[0]!.seq)),
      [1, 2],
    );
  } finally {
    await t.dispose();
  }
});

test('an input refused before it was queued holds only the inputs its device sent after it', async () => {
  const t = await setup();
  const seqOf = (r: Awaited<ReturnType<LogWriter['appendInput']>>) =>
    r.duplicate ? -1 : r.committed[0]!.seq;
  try {
    // a was queued before b's lookup failed; c came after.
    const a = t.writer.appendInput(t.log, input('a'));
    t.writer.refusedBeforeQueue(t.log, 'd', 'b', new Error('the lookup failed'));
    const c = t.writer.appendInput(t.log, input('c'));
    assert.equal(seqOf(await a), 1, 'a was made before b: it is stored');
    await assert.rejects(c, /was not stored, so this one/);
    assert.equal(seqOf(await t.writer.appendInput(t.log, input('b'))), 2);
    assert.equal(seqOf(await t.writer.appendInput(t.log, input('c'))), 3);
  } finally {
    await t.dispose();
  }
});

test('a held input that comes back first opens the hold as well (its refused one was given up)', async () => {
  const { t, fail } = await setupFailing();
  try {
    await assert.rejects(t.writer.appendInput(t.log, input('k1')), /cannot write/);
    fail.off();
    await assert.rejects(t.writer.appendInput(t.log, input('k2')), /was not stored, so this one/);
    await assert.rejects(t.writer.appendInput(t.log, input('k3')), /was not stored, so this one/);
    // k1 was a keystroke past its lifetime: the client dropped it and resends k2 and k3.
    const k2 = await t.writer.appendInput(t.log, input('k2'));
    const k3 = await t.writer.appendInput(t.log, input('k3'));
    assert.deepEqual(
      [k2, k3].map((r) => (r.duplicate ? -1 : r.committed[0]!.seq)),
      [1, 2],
    );
  } finally {
    await t.dispose();
  }
});

test('a session deleted in the same tick fails alone: the other session of the batch is stored', async () => {
  const t = await setup();
  try {
    await t.store.insertSession(terminalSessionRecord('s2'));
    const other: SessionLogState = { sessionId: 's2', headSeq: 0, lastActivityAt: 1 };
    const a = t.writer.append(t.log, output('to the deleted session'));
    const b = t.writer.append(other, output('kept'));
    // Same tick: the batch holding both appends has not run yet.
    await t.store.deleteSession('s1');
    await assert.rejects(a, (err: Error & { code?: string }) => {
      assert.equal(err.code, 'not_found');
      assert.match(err.message, /s1 was deleted/);
      return true;
    });
    const committed = await b;
    assert.equal(committed[0]!.seq, 1);
    const stored = await t.store.readEvents('s2', 0, 10);
    assert.deepEqual(
      stored.map((e) => e.dataJson),
      [JSON.stringify({ data: 'kept' })],
    );
    assert.deepEqual(
      t.fanned.map((e) => e.event.data),
      [{ data: 'kept' }],
      'only the stored session is fanned out',
    );
  } finally {
    await t.dispose();
  }
});

test('after a conflicting writer took the next number, the head is reloaded and appends go on', async () => {
  const t = await setup();
  try {
    await t.writer.append(t.log, output('one'));
    // Another writer on the same file takes seq 2 behind this writer's back.
    await t.store.commit([
      {
        sessionId: 's1',
        events: [{ seq: 2, ts: 1, type: 'terminal.output', dataJson: '{"data":"other"}' }],
        inputs: [],
        patch: { headSeq: 2, lastActivityAt: 1 },
      },
    ]);
    await assert.rejects(t.writer.append(t.log, output('clash')), /could not be stored/);
    assert.equal(t.log.headSeq, 2, 'the head is read back from the store, not rolled back');
    const next = await t.writer.append(t.log, output('three'));
    assert.equal(next[0]!.seq, 3, 'the writer is not wedged on the taken number');
    assert.deepEqual(
      (await t.store.readEvents('s1', 0, 10)).map((e) => e.seq),
      [1, 2, 3],
    );
  } finally {
    await t.dispose();
  }
});
