import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareHlc, HybridClock, type Hlc } from './hybrid-clock.js';

test('readings of one clock only grow, even when the wall clock stands still or goes back', () => {
  let wall = 1000;
  const clock = new HybridClock('a', () => wall);
  const first = clock.now();
  const same = clock.now();
  wall = 900;
  const back = clock.now();
  wall = 1200;
  const later = clock.now();
  assert.deepEqual(first, { wallMs: 1000, counter: 0, node: 'a' });
  assert.ok(compareHlc(same, first) > 0);
  assert.ok(compareHlc(back, same) > 0, 'a clock going back never issues an earlier reading');
  assert.deepEqual(later, { wallMs: 1200, counter: 0, node: 'a' });
});

test('after observing a reading from a clock ahead, the next local reading is after it', () => {
  const slow = new HybridClock('slow', () => 1000);
  const remote: Hlc = { wallMs: 5000, counter: 7, node: 'fast' };
  slow.observe(remote);
  const next = slow.now();
  assert.ok(compareHlc(next, remote) > 0);
  assert.equal(next.wallMs, 5000);
});

test('readings are totally ordered: wall time, then counter, then node', () => {
  const r = (wallMs: number, counter: number, node: string): Hlc => ({ wallMs, counter, node });
  assert.ok(compareHlc(r(1, 9, 'z'), r(2, 0, 'a')) < 0);
  assert.ok(compareHlc(r(2, 1, 'a'), r(2, 0, 'z')) > 0);
  assert.ok(compareHlc(r(2, 1, 'b'), r(2, 1, 'a')) > 0);
  assert.equal(compareHlc(r(2, 1, 'a'), r(2, 1, 'a')), 0);
});
