import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import { EventWindow } from './event-window.js';

function output(seq: number, data = `#${seq}`): LogEvent {
  return { seq, ts: seq, type: 'terminal.output', data: { data } };
}

const seqs = (events: readonly LogEvent[] | undefined) => events?.map((e) => e.seq);

test('holds at most `events` events, dropping the oldest', () => {
  const window = new EventWindow({ events: 3, chars: 1_000_000 });
  for (let seq = 1; seq <= 10; seq++) window.push(output(seq));
  assert.equal(window.length, 3);
  assert.equal(window.firstSeq, 8);
  assert.deepEqual(seqs(window.toArray()), [8, 9, 10]);
});

test('holds at most `chars` characters but always the newest event', () => {
  const window = new EventWindow({ events: 100, chars: 10 });
  window.push(output(1, 'aaaa'));
  window.push(output(2, 'bbbb'));
  window.push(output(3, 'cccc'));
  assert.deepEqual(seqs(window.toArray()), [2, 3]);
  assert.equal(window.chars, 8);
  window.push(output(4, 'x'.repeat(50)));
  assert.deepEqual(seqs(window.toArray()), [4], 'an event over the limit alone is still held');
});

test('after(seq) returns exactly the newer events', () => {
  const window = new EventWindow({ events: 5, chars: 1_000_000 });
  assert.deepEqual(window.after(0), []);
  for (let seq = 1; seq <= 8; seq++) window.push(output(seq));
  assert.deepEqual(seqs(window.after(6)), [7, 8]);
  assert.deepEqual(seqs(window.after(3)), [4, 5, 6, 7, 8]);
  assert.deepEqual(window.after(8), []);
  assert.deepEqual(seqs(window.after(1)), [4, 5, 6, 7, 8], 'from the first held one');
  assert.deepEqual(seqs(window.upTo(6)), [4, 5, 6]);
});

test('prepend puts older events in front and keeps them past the limit', () => {
  const window = new EventWindow({ events: 3, chars: 1_000_000 });
  for (let seq = 5; seq <= 7; seq++) window.push(output(seq));
  window.prepend([output(3), output(4)]);
  assert.deepEqual(seqs(window.toArray()), [3, 4, 5, 6, 7]);
  window.push(output(8));
  assert.equal(window.length, 5, 'the room granted by prepend stays');
  assert.deepEqual(seqs(window.after(5)), [6, 7, 8]);
});

test('a million pushes keep the buffer bounded', () => {
  const window = new EventWindow({ events: 1000, chars: 1_000_000 });
  for (let seq = 1; seq <= 1_000_000; seq++) window.push(output(seq));
  assert.equal(window.length, 1000);
  assert.equal(window.firstSeq, 999_001);
  assert.deepEqual(seqs(window.after(999_998)), [999_999, 1_000_000]);
});

test('seqs may skip numbers (events of unknown types are not held)', () => {
  const window = new EventWindow({ events: 10, chars: 1_000_000 });
  for (const seq of [1, 2, 5, 6, 9]) window.push(output(seq));
  assert.deepEqual(seqs(window.after(3)), [5, 6, 9]);
  assert.deepEqual(seqs(window.after(5)), [6, 9]);
  assert.deepEqual(seqs(window.upTo(8)), [1, 2, 5, 6]);
});
