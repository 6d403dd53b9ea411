import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempPgSchema } from '../testing/pg-test-schema.js';
import { terminalSessionRecord } from '../testing/session-record.js';
import { waitUntil } from '../testing/test-server.js';
import { PgStore } from './pg-store.js';
import type { SessionLease } from './session-lease.js';
import type { CommitEntry } from './store.js';

/**
 * Leases with an epoch per session, and fenced commits: two nodes (two stores on one schema)
 * contend for one session; a commit under a lease that ran out or passed to the other node is
 * refused, in the commit's own transaction, while the new owner's commits go on.
 */
test('PgStore: a lease is held by one node at a time, and a stale owner cannot append', async () => {
  const schema = await tempPgSchema();
  const shared = { sharedSchema: true };
  const [a, b] = await Promise.all([
    PgStore.open(schema.url, shared),
    PgStore.open(schema.url, shared),
  ]);
  try {
    await a.insertSession(terminalSessionRecord('s1'));
    await a.insertSession(terminalSessionRecord('s2'));
    const entry = (sessionId: string, seq: number, lease?: SessionLease): CommitEntry => ({
      sessionId,
      events: [{ seq, ts: seq, type: 'terminal.output', dataJson: `{"data":"${seq}"}` }],
      inputs: [],
      patch: { headSeq: seq, lastActivityAt: seq },
      ...(lease ? { lease } : {}),
    });

    const first = await a.acquireLease('s1', 'node-a', 60_000);
    assert.deepEqual(first, { sessionId: 's1', owner: 'node-a', epoch: 1 });
    assert.equal(await b.acquireLease('s1', 'node-b', 60_000), undefined, 'held by node a');
    assert.equal((await a.commit([entry('s1', 1, first)])).failed.size, 0);
    assert.equal(await a.renewLease(first!, 300), true);

    // Node a stops renewing (paused, cut off): its lease runs out and node b takes the session.
    const taken = await waitUntil(
      () => b.acquireLease('s1', 'node-b', 60_000),
      'node b to take the lease once it ran out',
    );
    assert.equal(taken.epoch, 2, 'the new holder has a higher epoch');
    assert.equal(await a.renewLease(first!, 60_000), false, 'the old lease cannot be renewed');

    // The former owner's append is refused, alone: its other session's entry commits.
    const s2 = await a.acquireLease('s2', 'node-a', 60_000);
    const stale = await a.commit([entry('s1', 2, first), entry('s2', 1, s2)]);
    assert.deepEqual([...stale.failed.keys()], ['s1']);
    assert.match(stale.failed.get('s1')!.message, /no longer node-a's: another node owns/);
    assert.equal((await a.getSession('s2'))?.headSeq, 1);
    // Alone in its commit too.
    assert.deepEqual([...(await a.commit([entry('s1', 2, first)])).failed.keys()], ['s1']);

    // The new owner goes on right after what is stored.
    assert.equal((await b.commit([entry('s1', 2, taken)])).failed.size, 0);
    assert.deepEqual(
      (await b.readEvents('s1', 0, 10)).map((e) => e.dataJson),
      ['{"data":"1"}', '{"data":"2"}'],
      "only the owners' events, in order",
    );

    // Released, it is free at once; the same node taking it again fences its earlier run.
    await b.releaseLease(taken);
    const back = await a.acquireLease('s1', 'node-a', 60_000);
    assert.equal(back?.epoch, 3);
    const again = await a.acquireLease('s1', 'node-a', 60_000);
    assert.equal(again?.epoch, 4, 'a restarted node gets a new epoch');
    assert.deepEqual([...(await a.commit([entry('s1', 3, back)])).failed.keys()], ['s1']);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await schema.drop();
  }
});
