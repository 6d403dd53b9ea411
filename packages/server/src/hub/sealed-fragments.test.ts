import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import { SealedFragments } from './sealed-fragments.js';

/** A sealed event of host `out` n, as the relay commits it (only its type and id are read). */
const sealedEvent = (type: string, n: number): LogEvent =>
  ({ seq: n, ts: 0, type, data: { sealed: { id: `o${n}.0.${type}` } } }) as unknown as LogEvent;

test('a message is kept until the out that finishes it commits, not an out before it', () => {
  const kept = new SealedFragments();
  kept.keep('m1', 'a1');
  kept.keep('m2', 'b1');
  kept.keep('m1', 'a2');
  assert.deepEqual(kept.catchUpFrames(), ['a1', 'a2', 'b1'], 'per message, oldest first');
  kept.finishing(5, ['m1']);
  kept.committed(sealedEvent('agent.tool.call', 4));
  assert.deepEqual(kept.catchUpFrames(), ['a1', 'a2', 'b1'], 'out 4 finishes nothing');
  kept.committed(sealedEvent('agent.text', 5));
  assert.deepEqual(kept.catchUpFrames(), ['b1']);
  kept.committed(sealedEvent('agent.turn.ended', 6));
  assert.deepEqual(kept.catchUpFrames(), [], 'the turn ended');
});

test('a stopped agent ends every reply in progress; a running status does not', () => {
  const kept = new SealedFragments();
  kept.keep('m1', 'a1');
  const status = (status: string) =>
    ({ seq: 1, ts: 0, type: 'session.status', data: { status } }) as LogEvent;
  kept.committed(status('running'));
  assert.deepEqual(kept.catchUpFrames(), ['a1']);
  kept.committed(status('idle'));
  assert.deepEqual(kept.catchUpFrames(), []);
});

test('beyond the cap the oldest message goes whole, and no later fragment of it is kept', () => {
  const kept = new SealedFragments(10);
  kept.keep('old', 'xxxx');
  kept.keep('new', 'yyyy');
  kept.keep('new', 'yyyy');
  assert.deepEqual(kept.catchUpFrames(), ['yyyy', 'yyyy'], 'the oldest message was dropped');
  kept.keep('old', 'x');
  assert.deepEqual(kept.catchUpFrames(), ['yyyy', 'yyyy'], 'not its tail either');
  assert.equal(kept.keptSize, 8);
  kept.keep('big', 'z'.repeat(11));
  assert.deepEqual(kept.catchUpFrames(), [], 'one message alone above the cap is not kept');
  assert.equal(kept.keptSize, 0);
});
