import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, summarizeUs } from './stats.js';

test('percentile uses the nearest rank', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 500);
  assert.equal(percentile(values, 99), 990);
  assert.equal(percentile(values, 99.9), 999);
  assert.equal(percentile(values, 100), 1000);
  assert.equal(percentile([7], 99.9), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarizeUs sorts and converts to milliseconds', () => {
  const summary = summarizeUs([3000, 1000, 2000]);
  assert.deepEqual(summary, { samples: 3, p50: 2, p99: 3, p999: 3, max: 3 });
});
