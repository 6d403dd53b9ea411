import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthorCounter } from './author-counter.js';

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
