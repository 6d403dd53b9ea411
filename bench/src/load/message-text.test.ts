import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeText, parseText } from './message-text.js';

test('a message text round-trips and has the requested size', () => {
  const text = makeText('12.345', 987654321, 200);
  assert.equal(text.length, 200);
  assert.deepEqual(parseText(text), {
    msgId: '12.345',
    submitter: 12,
    n: 345,
    submittedUs: 987654321,
  });
});

test('foreign text is not taken for a benchmark message', () => {
  assert.equal(parseText('hello'), undefined);
  assert.equal(parseText('a|b|c'), undefined);
});
