import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownLogEvent } from './log-event.js';
import { SnapshotState } from './snapshot-state.js';
import {
  parseClientFrame,
  parseHostFrame,
  parseRelayFrame,
  parseServerFrame,
} from './parse-frame.js';

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

test('a type that is not a string is refused without naming it, and never throws', () => {
  const parsers = [parseClientFrame, parseServerFrame, parseHostFrame, parseRelayFrame];
  const types = ['{"toString":1}', '{"toString":{},"valueOf":{}}', '[]', '{}', 'null', '7'];
  for (const parse of parsers)
    for (const type of types) {
      const r = parse(`{"type":${type}}`);
      assert.ok(!r.ok, type);
      assert.equal(r.error.code, 'invalid_message');
      assert.match(r.error.message, /^invalid message: /, type);
    }
});

test('a key named __proto__ is refused wherever it is, not dropped', () => {
  const write = (patch: string) =>
    `{"type":"doc.write","rid":1,"sessionId":"s_abcdefghijklmnopqrst","name":"d","baseVersion":0,"patch":${patch}}`;
  for (const patch of ['{"__proto__":5}', '{"a":{"__proto__":{"x":1}}}']) {
    const r = parseClientFrame(write(patch));
    assert.ok(!r.ok, patch);
    assert.equal(r.error.code, 'invalid_message');
    assert.match(r.error.message, /__proto__/);
  }
  // The name inside a value is only text.
  const text = parseClientFrame(write('{"note":"__proto__"}'));
  assert.ok(text.ok);
});

const SID = 's_abcdefghijklmnopqrst';

test('an event of a type this package does not know parses as an unknown event', () => {
  const r = parseServerFrame(
    JSON.stringify({
      type: 'event',
      sessionId: SID,
      event: { seq: 7, ts: 1, type: 'agent.plan.updated', data: { steps: [1, 2] } },
    }),
  );
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  assert.equal(r.value.type, 'event');
  if (r.value.type !== 'event') return;
  assert.equal(r.value.event.seq, 7);
  assert.equal(isKnownLogEvent(r.value.event), false);
  assert.deepEqual(r.value.event.data, { steps: [1, 2] });
});

test('a known event type with a malformed body is still invalid', () => {
  const r = parseServerFrame(
    JSON.stringify({
      type: 'event',
      sessionId: SID,
      event: { seq: 7, ts: 1, type: 'terminal.output', data: { data: 5 } },
    }),
  );
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'invalid_message');
  const known = parseServerFrame(
    JSON.stringify({
      type: 'event',
      sessionId: SID,
      event: { seq: 8, ts: 1, type: 'terminal.output', data: { data: 'x' } },
    }),
  );
  assert.ok(known.ok && known.value.type === 'event' && isKnownLogEvent(known.value.event));
});

test('unknown error codes, snapshot reasons and fields are tolerated', () => {
  const error = parseServerFrame(
    JSON.stringify({ type: 'error', rid: 3, code: 'quota_exceeded', message: 'm', hint: 'later' }),
  );
  assert.ok(error.ok && error.value.type === 'error');
  assert.equal(error.value.code, 'quota_exceeded');
  for (const reason of ['reset', 'migrated']) {
    const snap = parseServerFrame(
      JSON.stringify({
        type: 'snapshot',
        sessionId: SID,
        seq: 4,
        epoch: 'e_x',
        reason,
        state: {},
        extra: true,
      }),
    );
    assert.ok(snap.ok && snap.value.type === 'snapshot', reason);
    assert.equal(snap.value.reason, reason);
  }
});

test('subscribe and fetch carry an optional epoch', () => {
  for (const type of ['subscribe', 'fetch']) {
    const withEpoch = parseClientFrame(
      JSON.stringify({ type, rid: 1, sessionId: SID, afterSeq: 3, epoch: 'e_abc' }),
    );
    assert.ok(withEpoch.ok, type);
    const without = parseClientFrame(JSON.stringify({ type, rid: 1, sessionId: SID, afterSeq: 3 }));
    assert.ok(without.ok, type);
  }
});

test('an agent snapshot holding an event of an unknown type still parses', () => {
  const state = SnapshotState.safeParse({
    session: {
      id: SID,
      name: 'n',
      kind: 'claude',
      status: 'idle',
      createdAt: 1,
      lastActivityAt: 1,
      headSeq: 3,
      epoch: 'e_x',
      config: {},
      attached: [],
      attachedCount: 0,
    },
    runner: {
      kind: 'agent',
      events: [
        { seq: 2, ts: 1, type: 'agent.text', data: { messageId: 'm', text: 'hi' } },
        { seq: 3, ts: 1, type: 'agent.plan.updated', data: {} },
      ],
    },
  });
  assert.ok(state.success);
  if (state.data.runner.kind !== 'agent') return;
  assert.deepEqual(state.data.runner.events.map(isKnownLogEvent), [true, false]);
});

test('document values nested beyond the limit are refused, never a thrown stack overflow', () => {
  const frame = (value: string) =>
    `{"type":"doc.write","rid":1,"sessionId":"s_abcdefghijklmnopqrst","name":"d","baseVersion":0,"patch":{"a":${value}}}`;
  const deep = 200_000;
  const r = parseClientFrame(frame('['.repeat(deep) + ']'.repeat(deep)));
  assert.ok(!r.ok && r.error.code === 'invalid_message');
  assert.match(r.error.message, /nested at most 32 deep/);
  assert.ok(parseClientFrame(frame('['.repeat(32) + ']'.repeat(32))).ok, '32 levels are fine');
  assert.ok(!parseClientFrame(frame('['.repeat(33) + ']'.repeat(33))).ok);
});
