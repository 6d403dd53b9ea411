import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatonError } from '../baton-error.js';
import { LogWriter, NOT_OWNER, type SessionLogState } from '../hub/log-writer.js';
import { PgStore } from '../storage/pg-store.js';
import { tempPgSchema } from '../testing/pg-test-schema.js';
import { terminalSessionRecord } from '../testing/session-record.js';
import { waitUntil } from '../testing/test-server.js';

/**
 * The node side of fencing, on a real PostgreSQL: a LogWriter whose lease ran out and passed to
 * another node has its next append refused by the store (not by the numbering: the new owner has
 * appended nothing yet, so the stale writer's number is free), learns that it lost the session,
 * and a log state marked NOT_OWNER is refused before any number is allocated.
 */
test('a stale owner’s LogWriter is fenced: its append is refused and it hears that it lost the session', async () => {
  const schema = await tempPgSchema();
  const [a, b] = await Promise.all([
    PgStore.open(schema.url, { sharedSchema: true }),
    PgStore.open(schema.url, { sharedSchema: true }),
  ]);
  try {
    await a.insertSession(terminalSessionRecord('s1'));
    const lost: string[] = [];
    const writer = new LogWriter(a, () => {}, { onLeaseLost: (log) => lost.push(log.sessionId) });
    const lease = await a.acquireLease('s1', 'node-a', 300);
    const log: SessionLogState = { sessionId: 's1', headSeq: 0, lastActivityAt: 0, lease: lease! };
    const out = (data: string) => [{ type: 'terminal.output' as const, data: { data } }];
    const [first] = await writer.append(log, out('under the lease'));
    assert.equal(first!.seq, 1);

    // Node a is paused past its lease; node b takes the session and appends nothing yet.
    const taken = await waitUntil(
      () => b.acquireLease('s1', 'node-b', 60_000),
      'node b to take the session once the lease ran out',
    );
    assert.equal(taken.epoch, 2);
    await assert.rejects(writer.append(log, out('after the lease')), (err: unknown) => {
      assert.ok(err instanceof BatonError);
      assert.equal(err.code, 'unavailable');
      assert.match(err.message, /another node took session s1 over/);
      return true;
    });
    assert.deepEqual(lost, ['s1'], 'the writer heard it lost the session');
    const stored = await b.readEvents('s1', 0, 10);
    assert.deepEqual(
      stored.map((e) => e.seq),
      [1],
      'nothing of the stale owner after the takeover',
    );

    // A node that knows it does not own the session refuses before numbering anything.
    const following: SessionLogState = {
      sessionId: 's1',
      headSeq: 1,
      lastActivityAt: 0,
      lease: NOT_OWNER,
    };
    await assert.rejects(
      writer.append(following, out('as a follower')),
      /another node runs session s1/,
    );
    assert.equal(following.headSeq, 1, 'no number was allocated');
  } finally {
    await a.close();
    await b.close();
    await schema.drop();
  }
});
