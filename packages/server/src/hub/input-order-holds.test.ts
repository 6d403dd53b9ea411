import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputOrderHolds, type HoldVerdict } from './input-order-holds.js';

/** What the writer does for one input in a commit of its own: admit, then the commit's outcome. */
function writer(holds: InputOrderHolds) {
  return (inputId: string, now: number, store: 'works' | 'fails' = 'works', deviceId = 'd') => {
    const verdict: HoldVerdict = holds.admit('s', deviceId, inputId, now);
    if (verdict === 'held') holds.refused('s', deviceId, inputId, now, false);
    else if (store === 'fails') holds.refused('s', deviceId, inputId, now, true);
    else holds.settled('s', deviceId, inputId);
    return verdict;
  };
}

test('a hold refuses the other inputs of its device and session until every refused one is back, in order', () => {
  const holds = new InputOrderHolds();
  const send = writer(holds);
  assert.equal(send('a', 0, 'fails'), 'pass', 'nothing is held before a refusal');
  assert.equal(holds.empty, false);
  assert.equal(send('b', 1), 'held');
  assert.equal(send('x', 1, 'works', 'other-device'), 'pass');
  assert.equal(holds.admit('other-session', 'd', 'y', 1), 'pass');
  assert.equal(send('a', 2), 'pass', 'the refused input is back');
  // The device had not heard of b's refusal yet when it made c: c may not overtake b.
  assert.equal(send('c', 3), 'held');
  assert.equal(send('b', 4), 'pass');
  assert.equal(holds.empty, false);
  assert.equal(send('c', 5), 'pass');
  assert.equal(holds.empty, true, 'every refused input came back: the hold is gone');
  assert.equal(send('e', 6), 'pass');
});

test('an input that comes back lets the refused ones before it go: the device gave them up', () => {
  const holds = new InputOrderHolds();
  const send = writer(holds);
  send('k1', 0, 'fails');
  assert.equal(send('k2', 1), 'held');
  assert.equal(send('k3', 1), 'held');
  assert.equal(send('k2', 2), 'pass', 'k1 was dropped by its client');
  assert.equal(send('k3', 3), 'pass');
  assert.equal(holds.empty, true);
});

test('an input refused again after it came back keeps its place ahead of the inputs made after it', () => {
  const holds = new InputOrderHolds();
  const send = writer(holds);
  send('a', 0, 'fails');
  send('b', 1);
  send('c', 1);
  // The device sends a, b and c again. a's commit fails again; b and c were sent before the
  // device heard of that, so they may not pass it.
  assert.equal(send('a', 2, 'fails'), 'pass');
  assert.equal(send('b', 3), 'held');
  assert.equal(send('c', 3), 'held');
  assert.equal(send('a', 4), 'pass');
  assert.equal(send('b', 5), 'pass');
  assert.equal(send('c', 5), 'pass');
  assert.equal(holds.empty, true);

  // A new input behind every refused one that came back goes with them, and inputs let through
  // in one commit that fails keep their order. y coming back alone afterwards means z was given
  // up (its refusal was sent first).
  holds.refused('s', 'd', 'z', 10, true);
  assert.equal(holds.admit('s', 'd', 'z', 11), 'pass');
  assert.equal(holds.admit('s', 'd', 'z', 11), 'pass', 'a second copy in the same commit');
  assert.equal(holds.admit('s', 'd', 'y', 11), 'pass', 'y is new, after every refused input');
  holds.refused('s', 'd', 'z', 11, true);
  holds.refused('s', 'd', 'y', 11, true);
  assert.equal(send('y', 12), 'pass', 'z was refused before y: given up');
  assert.equal(holds.empty, true);
});

test('an input held again in a batch is not taken for given up by a later input of that batch', () => {
  const holds = new InputOrderHolds();
  // a and b fail in one commit; the device sends them again while c is still on its way.
  for (const id of ['a', 'b']) assert.equal(holds.admit('s', 'd', id, 0), 'pass');
  for (const id of ['a', 'b']) holds.refused('s', 'd', id, 0, true);
  // c arrives and is held; a, sent again, fails a second time.
  assert.equal(holds.admit('s', 'd', 'c', 1), 'held');
  assert.equal(holds.admit('s', 'd', 'a', 1), 'pass');
  holds.refused('s', 'd', 'c', 1, false);
  holds.refused('s', 'd', 'a', 1, true);
  // b (sent before the device heard of a's second refusal), then a and c again, in one batch:
  // b is held behind a, and c may not take b for given up.
  assert.equal(holds.admit('s', 'd', 'b', 2), 'held');
  assert.equal(holds.admit('s', 'd', 'a', 2), 'pass');
  assert.equal(holds.admit('s', 'd', 'c', 2), 'held');
});

test("a hold lapses 30 s after the store's last refusal, which held inputs do not extend", () => {
  const holds = new InputOrderHolds();
  const send = writer(holds);
  send('a', 0, 'fails');
  holds.refused('s', 'd', 'b', 10_000, true);
  assert.equal(send('c', 20_000), 'held');
  assert.equal(send('e', 39_999), 'held');
  assert.equal(send('f', 40_000), 'pass');
  assert.equal(holds.empty, true);
  send('g', 50_000, 'fails');
  holds.prune(79_999);
  assert.equal(holds.empty, false);
  holds.prune(80_000);
  assert.equal(holds.empty, true);
});
