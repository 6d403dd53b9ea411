import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.js';

test('the ceiling doubles from 250 ms and stops at 10 s', () => {
  const almostOne = () => 0.999_999;
  const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, almostOne) + 1);
  assert.deepEqual(ceilings, [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  assert.equal(backoffDelay(1000, almostOne) + 1, 10_000);
});

test('full jitter spans the whole interval from zero', () => {
  assert.equal(
    backoffDelay(5, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(5, () => 0.5),
    2000,
  );
});

test('base and cap are configurable', () => {
  assert.equal(
    backoffDelay(3, () => 0.5, { baseMs: 100, capMs: 300 }),
    150,
  );
});
