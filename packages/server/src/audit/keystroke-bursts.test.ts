import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeystrokeBursts } from './keystroke-bursts.js';

test('keystrokes coalesce per device, session and connection until a gap, a length, or another action', () => {
  const b = new KeystrokeBursts(2_000, 30_000);
  assert.equal(b.add('d1', 's1', 'c1', 10, 0), undefined);
  assert.equal(b.add('d1', 's1', 'c1', 11, 500), undefined);
  assert.equal(b.add('d1', 's1', 'c2', 12, 600), undefined, 'another window: its own burst');
  assert.equal(b.add('d2', 's1', 'c3', 13, 700), undefined, 'another device: its own burst');
  assert.equal(b.size, 3);
  assert.deepEqual(b.due(2_400), [], 'none quiet for 2 s yet');
  const quiet = b.due(2_600);
  assert.deepEqual(
    quiet.map((x) => [x.connectionId, x.seqFrom, x.seqTo, x.count, x.startedAt, x.lastAt]),
    [
      ['c1', 10, 11, 2, 0, 500],
      ['c2', 12, 12, 1, 600, 600],
    ],
  );
  // A keystroke after the gap closes the old burst and starts a new one.
  const closed = b.add('d2', 's1', 'c3', 14, 2_800);
  assert.deepEqual([closed?.seqFrom, closed?.count], [13, 1]);
  // A long burst ends at its maximum length even without a gap.
  const long = [];
  for (let t = 3_000, seq = 20; t < 40_000; t += 1_000, seq++) {
    const ended = b.add('d3', 's2', 'c4', seq, t);
    if (ended) long.push(ended);
  }
  assert.deepEqual(
    long.map((x) => [x.startedAt, x.lastAt, x.count]),
    [[3_000, 32_000, 30]],
  );
  // Another action of the device on the session ends its bursts there, and only there.
  b.add('d4', 's1', 'c5', 50, 41_000);
  b.add('d4', 's2', 'c5', 51, 41_000);
  assert.deepEqual(
    b.endFor('d4', 's1').map((x) => x.seqFrom),
    [50],
  );
  assert.deepEqual(
    b
      .endAll()
      .map((x) => x.seqFrom)
      .sort((x, y) => x - y),
    [14, 50, 51],
  );
  assert.equal(b.size, 0);
});
