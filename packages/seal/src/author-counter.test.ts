import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthorCounter } from './author-counter.js';
import { CounterGuard, LANES_KEPT } from './counter-guard.js';
import { COUNTER_LANES, LANED_COUNTER_FROM, counterLane } from './counter-lanes.js';

test('an author counter grows per session and survives a save and restore', () => {
  const counter = new AuthorCounter();
  assert.deepEqual([counter.next('s_a'), counter.next('s_a'), counter.next('s_b')], [1, 2, 1]);
  const restored = new AuthorCounter(JSON.parse(JSON.stringify(counter)) as Record<string, number>);
  assert.equal(restored.next('s_a'), 3);
  // After a lost state, resuming above the highest counter found in the log never goes back.
  const lost = new AuthorCounter();
  lost.resumeAbove('s_a', 41);
  lost.resumeAbove('s_a', 7);
  assert.equal(lost.next('s_a'), 42);
  assert.throws(() => lost.resumeAbove('s_a', -1), RangeError);
});

test('a laned counter follows the clock in its lane, grows in a burst and when the clock goes back', () => {
  let now = 1_780_000_000_000;
  const counter = new AuthorCounter({}, { lane: 7, now: () => now });
  const first = counter.next('s_a');
  assert.equal(first, now * COUNTER_LANES + 7);
  assert.equal(counterLane(first), 7);
  // Three in the same millisecond: each above the last, all in lane 7.
  const burst = [counter.next('s_a'), counter.next('s_a'), counter.next('s_a')];
  assert.deepEqual(burst, [first + 1024, first + 2048, first + 3072]);
  now -= 60_000; // the clock set back a minute
  const after = counter.next('s_a');
  assert.ok(after > burst[2]! && counterLane(after) === 7);
  // A restart in another lane resumes above what any lane used (what the store keeps).
  const restarted = new AuthorCounter(counter.toJSON(), { lane: 3, now: () => now });
  const next = restarted.next('s_a');
  assert.ok(next > after && counterLane(next) === 3);
  // A clock before 2004 (or none) still gives laned counters.
  assert.ok(new AuthorCounter({}, { lane: 0, now: () => 0 }).next('s_a') >= LANED_COUNTER_FROM);
  assert.throws(() => new AuthorCounter({}, { lane: 1024 }).next('s_a'), RangeError);
});

test('two windows of one device in two lanes are each held to their own order', () => {
  let now = 1_780_000_000_000;
  const a = new AuthorCounter({}, { lane: 1, now: () => now });
  const b = new AuthorCounter({}, { lane: 2, now: () => now });
  const guard = new CounterGuard();
  const a1 = a.next('s');
  now += 5;
  const a2 = a.next('s');
  const b1 = b.next('s'); // sealed after a2 ...
  now += 5;
  const b2 = b.next('s');
  // ... and they arrive interleaved in any order across the windows:
  guard.accept('s', 'd_me', b1);
  guard.accept('s', 'd_me', a1);
  guard.accept('s', 'd_me', b2);
  guard.accept('s', 'd_me', a2);
  // Within a window, a replay or a swap is still refused.
  assert.throws(() => guard.check('s', 'd_me', a1), /replayed/);
  assert.throws(() => guard.check('s', 'd_me', b1), /not above/);
  assert.equal(guard.highest('s', 'd_me'), Math.max(a2, b2));
  assert.deepEqual(guard.cutoffsFor('d_me'), { s: Math.max(a2, b2) });
  // Unlaned counters (1, 2, 3, … and a host's events) stay one sequence per author.
  guard.accept('s', 'd_old', 2);
  assert.throws(() => guard.check('s', 'd_old', 1), /replayed/);
  // What is recorded comes back the same, and a restore never lowers a lane.
  const entries = guard.entries('s');
  assert.deepEqual(Object.keys(entries).sort(), ['d_me#1', 'd_me#2', 'd_old']);
  const restored = new CounterGuard();
  restored.restore('s', { ...entries, 'd_me#1': a1, junk: -3 });
  restored.restore('s', entries);
  assert.deepEqual(restored.entries('s'), entries);
  assert.throws(() => restored.check('s', 'd_me', a2), /replayed/);
  restored.check('s', 'd_me', b.next('s'));
});

test('a guard keeps 32 lanes per author; older ones fold into a floor that is saved and restored', () => {
  const guard = new CounterGuard();
  const at = (slot: number, lane: number) => slot * COUNTER_LANES + lane + LANED_COUNTER_FROM;
  // 40 windows of one device, one after another (lanes 0..39, each a millisecond later).
  for (let lane = 0; lane < 40; lane++) guard.accept('s', 'd_me', at(lane, lane));
  const entries = guard.entries('s');
  assert.equal(Object.keys(entries).length, LANES_KEPT + 1, 'the kept lanes and the floor');
  assert.equal(entries['d_me#*'], at(7, 7), 'the newest lane dropped is the floor');
  // A dropped lane's old envelope is refused; its window sealing again (later) is taken.
  assert.throws(() => guard.check('s', 'd_me', at(3, 3)), /replayed/);
  guard.accept('s', 'd_me', at(50, 3));
  // A lane never seen must be above the floor too.
  assert.throws(() => guard.check('s', 'd_me', at(5, 1000)), /replayed/);
  guard.check('s', 'd_me', at(8, 1000));
  // Restored from what was saved, the same refusals hold.
  const restored = new CounterGuard();
  restored.restore('s', guard.entries('s'));
  assert.deepEqual(restored.entries('s'), guard.entries('s'));
  assert.throws(() => restored.check('s', 'd_me', at(5, 1000)), /replayed/);
  assert.throws(() => restored.check('s', 'd_me', at(50, 3)), /replayed/);
  // An author id with '#' in it could pass for another author's lane: refused.
  assert.throws(() => restored.accept('s', 'd_x#5', 9), /has a '#'/);
  restored.accept('s', 'd_x', at(1, 5));
  // A key that names another lane than its counter's (or none) is taken as the author's floor.
  const odd = new CounterGuard();
  odd.restore('s', { 'd_y#5': at(1, 7), d_z: at(1, 7), 'd_w#*': 3, 'a#b#1': at(1, 1) });
  assert.throws(() => odd.check('s', 'd_y', at(0, 9)), /replayed/);
  odd.check('s', 'd_y', at(1, 8));
  assert.throws(() => odd.check('s', 'd_z', at(0, 9)), /replayed/);
  assert.deepEqual(Object.keys(odd.entries('s')).sort(), ['d_y#*', 'd_z#*']);
  const again = new CounterGuard();
  again.restore('s', restored.entries('s'));
  assert.deepEqual(again.entries('s'), restored.entries('s'));
});
