import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputOrderHolds } from './input-order-holds.js';

test('a hold refuses the other inputs of its device and session until every refused one is back, in order', () => {
  const holds = new InputOrderHolds();
  assert.equal(holds.admit('s', 'd', 'a', 0), 'pass', 'nothing is held before a refusal');
  holds.refused('s', 'd', 'a', 0);
  assert.equal(holds.empty, false);
  assert.equal(holds.admit('s', 'd', 'b', 1), 'held');
  assert.equal(holds.admit('s', 'other-device', 'x', 1), 'pass');
  assert.equal(holds.admit('other-session', 'd', 'y', 1), 'pass');
  assert.equal(holds.admit('s', 'd', 'a', 2), 'pass', 'the refused input is back');
  // The device had not heard of b's refusal yet when it made c: c may not overtake b.
  assert.equal(holds.admit('s', 'd', 'c', 3), 'held');
  assert.equal(holds.admit('s', 'd', 'b', 4), 'pass');
  assert.equal(holds.empty, false);
  assert.equal(holds.admit('s', 'd', 'c', 5), 'pass');
  assert.equal(holds.empty, true, 'every refused input came back: the hold is gone');
  assert.equal(holds.admit('s', 'd', 'e', 6), 'pass');
});

test('an input that comes back lets the refused ones before it go: the device gave them up', () => {
  const holds = new InputOrderHolds();
  holds.refused('s', 'd', 'k1', 0);
  assert.equal(holds.admit('s', 'd', 'k2', 1), 'held');
  assert.equal(holds.admit('s', 'd', 'k3', 1), 'held');
  assert.equal(holds.admit('s', 'd', 'k2', 2), 'pass', 'k1 was dropped by its client');
  assert.equal(holds.admit('s', 'd', 'k3', 3), 'pass');
  assert.equal(holds.empty, true);
});

test("a hold lapses 30 s after the store's last refusal, which held inputs do not extend", () => {
  const holds = new InputOrderHolds();
  holds.refused('s', 'd', 'a', 0);
  holds.refused('s', 'd', 'b', 10_000);
  assert.equal(holds.admit('s', 'd', 'c', 20_000), 'held');
  assert.equal(holds.admit('s', 'd', 'e', 39_999), 'held');
  assert.equal(holds.admit('s', 'd', 'f', 40_000), 'pass');
  assert.equal(holds.empty, true);
  holds.refused('s', 'd', 'g', 50_000);
  holds.prune(79_999);
  assert.equal(holds.empty, false);
  holds.prune(80_000);
  assert.equal(holds.empty, true);
});
