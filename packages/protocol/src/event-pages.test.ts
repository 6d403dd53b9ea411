import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownLogEvent } from './log-event.js';
import { parseClientFrame, parseServerFrame } from './parse-frame.js';

const SID = 's_abcdefghijklmnopqrst';

test('hello may say the client takes events frames; without it, it is the hello of before', () => {
  const asks = parseClientFrame(
    JSON.stringify({ type: 'hello', v: 2, token: 't', mode: 'tab', eventPages: true }),
  );
  assert.ok(asks.ok && asks.value.type === 'hello');
  assert.equal(asks.value.eventPages, true);
  const plain = parseClientFrame(JSON.stringify({ type: 'hello', v: 2, token: 't', mode: 'tab' }));
  assert.ok(plain.ok && plain.value.type === 'hello');
  assert.equal(plain.value.eventPages, undefined);
  const wrong = parseClientFrame(
    JSON.stringify({ type: 'hello', v: 2, token: 't', mode: 'tab', eventPages: 'yes' }),
  );
  assert.ok(!wrong.ok);
  assert.match(wrong.error.message, /eventPages/);
});

test('an events frame parses to its events in order, unknown types kept as unknown events', () => {
  const r = parseServerFrame(
    JSON.stringify({
      type: 'events',
      sessionId: SID,
      events: [
        { seq: 4, ts: 1, type: 'terminal.output', data: { data: 'a' } },
        { seq: 5, ts: 2, type: 'agent.plan.updated', data: { steps: [] } },
        { seq: 6, ts: 3, type: 'terminal.output', data: { data: 'b' } },
      ],
    }),
  );
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  assert.ok(r.value.type === 'events');
  assert.equal(r.value.sessionId, SID);
  assert.deepEqual(
    r.value.events.map((e) => e.seq),
    [4, 5, 6],
  );
  assert.deepEqual(
    r.value.events.map((e) => isKnownLogEvent(e)),
    [true, false, true],
  );
});

test('an events frame that is empty, or has one malformed known event, is invalid as a whole', () => {
  const empty = parseServerFrame(JSON.stringify({ type: 'events', sessionId: SID, events: [] }));
  assert.ok(!empty.ok && empty.error.code === 'invalid_message');
  const bad = parseServerFrame(
    JSON.stringify({
      type: 'events',
      sessionId: SID,
      events: [
        { seq: 4, ts: 1, type: 'terminal.output', data: { data: 'a' } },
        { seq: 5, ts: 2, type: 'terminal.output', data: { data: 5 } },
      ],
    }),
  );
  assert.ok(!bad.ok && bad.error.code === 'invalid_message');
  assert.match(bad.error.message, /events/);
  const noSession = parseServerFrame(
    JSON.stringify({
      type: 'events',
      events: [{ seq: 4, ts: 1, type: 'terminal.output', data: { data: 'a' } }],
    }),
  );
  assert.ok(!noSession.ok);
});
