import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputOrderHolds } from './input-order-holds.js';

test('a hold refuses the other inputs of its device and session until a refused one comes back', () => {
  const holds = new InputOrderHolds();
  assert.equal(holds.admit('s', 'd', 'a', 0), 'pass', 'nothing is held before a refusal');
  holds.refused('s', 'd', 'a', 0);
  assert.equal(holds.empty, false);
  assert.equal(holds.admit('s', 'd', 'b', 1), 'held');
  assert.equal(holds.admit('s', 'other-device', 'x', 1), 'pass');
  assert.equal(holds.admit('other-session', 'd', 'y', 1), 'pass');
  assert.equal(holds.admit('s', 'd', 'a', 2), 'pass', 'the refused input is back: the hold opens');
  assert.equal(holds.admit('s', 'd', 'b', 3), 'pass');
  assert.equal(holds.empty, true);
});

test('a hold lapses after a minute without a resend, and pruning forgets it', () => {
  const holds = new InputOrderHolds();
  holds.refused('s', 'd', 'a', 0);
  assert.equal(holds.admit('s', 'd', 'b', 30_000), 'held', 'and the minute starts again');
  assert.equal(holds.admit('s', 'd', 'c', 89_999), 'held');
  assert.equal(holds.admit('s', 'd', 'e', 150_000), 'pass');
  holds.refused('s', 'd', 'f', 200_000);
  holds.prune(259_999);
  assert.equal(holds.empty, false);
  holds.prune(260_000);
  assert.equal(holds.empty, true);
});
