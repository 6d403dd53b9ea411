import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommittedEvent } from './event-frame.js';
import { RecentFrames } from './recent-frames.js';

const ev = (seq: number, bytes = 10): CommittedEvent => ({
  seq,
  event: { seq, ts: 0, type: 'terminal.output', data: { data: '' } },
  frame: Buffer.alloc(bytes),
});
const seqs = (events: CommittedEvent[] | undefined) => events?.map((e) => e.seq);

test('holds the newest events within its bounds and answers only what it holds', () => {
  const recent = new RecentFrames(100, 1_000_000);
  for (let s = 1; s <= 3000; s++) recent.push(ev(s));
  assert.equal(recent.from(2900, 10), undefined, 'older than the oldest held: read the store');
  assert.deepEqual(seqs(recent.from(2901, 3)), [2901, 2902, 2903]);
  assert.deepEqual(seqs(recent.from(2999, 10)), [2999, 3000]);
  assert.deepEqual(seqs(recent.from(3001, 10)), [], 'past the newest: nothing yet');

  const small = new RecentFrames(100, 250);
  for (let s = 1; s <= 10; s++) small.push(ev(s, 100));
  assert.deepEqual(seqs(small.from(9, 10)), [9, 10], 'the byte bound holds');
});

test('a hole empties it: what it answers is always consecutive', () => {
  const recent = new RecentFrames(100, 1_000_000);
  for (let s = 1; s <= 5; s++) recent.push(ev(s));
  recent.push(ev(8));
  assert.equal(recent.from(5, 10), undefined);
  assert.deepEqual(seqs(recent.from(8, 10)), [8]);
});
