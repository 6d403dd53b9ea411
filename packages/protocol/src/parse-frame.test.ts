import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClientFrame } from './parse-frame.js';

test('valid frames parse to typed messages', () => {
  const r = parseClientFrame(
    JSON.stringify({ type: 'subscribe', rid: 1, sessionId: 's_abcdefghijklmnopqrst', afterSeq: 3 }),
  );
  assert.ok(r.ok);
  assert.equal(r.value.type, 'subscribe');
});

test('bad frames get a code and a message naming the field', () => {
  const notJson = parseClientFrame('{');
  assert.ok(!notJson.ok && notJson.error.code === 'bad_json');
  const wrong = parseClientFrame(
    JSON.stringify({
      type: 'input',
      sessionId: 's_abcdefghijklmnopqrst',
      inputId: 'x',
      payload: { kind: 'terminal', data: 5 },
    }),
  );
  assert.ok(!wrong.ok);
  assert.equal(wrong.error.code, 'invalid_message');
  assert.match(wrong.error.message, /payload/);
  const unknown = parseClientFrame(JSON.stringify({ type: 'nope' }));
  assert.ok(!unknown.ok && unknown.error.code === 'invalid_message');
  const array = parseClientFrame('[1,2]');
  assert.ok(!array.ok && array.error.code === 'invalid_message');
});
