import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputPayload, SessionId } from '@baton/protocol';
import { type BatonError } from './baton-error.js';
import { Outbox, type OutboxSender } from './outbox.js';
import { MemoryOutboxStorage } from './outbox-storage.js';
import { FakeClock } from './testing/fake-clock.js';

const S1 = 's_aaaaaaaaaaaaaaaaaaaa' as SessionId;
const S2 = 's_bbbbbbbbbbbbbbbbbbbb' as SessionId;
const text = (t: string): InputPayload => ({ kind: 'message', text: t });

class Wire implements OutboxSender {
  online = true;
  blocked = new Set<string>();
  frames: Array<{ sessionId: string; inputId: string; payload: InputPayload }> = [];
  canSend(sessionId: SessionId): boolean {
    return this.online && !this.blocked.has(sessionId);
  }
  send(frame: { sessionId: SessionId; inputId: string; payload: InputPayload }): boolean {
    this.frames.push(frame);
    return true;
  }
}

async function setup(storage = new MemoryOutboxStorage()) {
  const wire = new Wire();
  const clock = new FakeClock();
  const outbox = new Outbox(storage, wire, clock, (e) => {
    throw e;
  });
  await outbox.load();
  return { wire, clock, outbox, storage };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('stores an input before sending it, and removes it only on ack', async () => {
  const { wire, outbox, storage } = await setup();
  const { inputId, confirmed } = outbox.add(S1, text('hi'));
  assert.equal(outbox.getSnapshot()[0]?.status, 'pending');
  await settle();
  assert.deepEqual(
    storage.load().map((r) => r.inputId),
    [inputId],
  );
  assert.equal(wire.frames.length, 1);
  assert.equal(outbox.getSnapshot()[0]?.status, 'sent');
  outbox.onAck({ type: 'ack', sessionId: S1, inputId, seq: 7, duplicate: false });
  assert.deepEqual(await confirmed, { seq: 7, duplicate: false });
  await settle();
  assert.deepEqual(storage.load(), []);
  assert.equal(outbox.getSnapshot()[0]?.status, 'confirmed');
  outbox.forgetConfirmed(S1, 6);
  assert.equal(outbox.getSnapshot().length, 1, 'kept until the log reaches its seq');
  outbox.forgetConfirmed(S1, 7);
  assert.equal(outbox.getSnapshot().length, 0);
});

test('resends unacknowledged inputs with the same id, in order, after a reconnect', async () => {
  const { wire, outbox } = await setup();
  wire.online = false;
  const a = outbox.add(S1, text('a'));
  const b = outbox.add(S1, text('b'));
  await settle();
  assert.equal(wire.frames.length, 0);
  wire.online = true;
  outbox.flush();
  assert.deepEqual(
    wire.frames.map((f) => f.inputId),
    [a.inputId, b.inputId],
  );
  outbox.onDisconnected();
  assert.ok(outbox.getSnapshot().every((e) => e.status === 'pending'));
  outbox.flush();
  assert.deepEqual(
    wire.frames.map((f) => f.inputId),
    [a.inputId, b.inputId, a.inputId, b.inputId],
  );
});

test('a session that cannot take input does not hold back other sessions', async () => {
  const { wire, outbox } = await setup();
  wire.blocked.add(S1);
  outbox.add(S1, text('a'));
  const b = outbox.add(S2, text('b'));
  await settle();
  assert.deepEqual(
    wire.frames.map((f) => f.inputId),
    [b.inputId],
  );
});

test('a non-retryable error marks the input failed; retry resends the same id', async () => {
  const { wire, outbox, storage } = await setup();
  const { inputId, confirmed } = outbox.add(S1, text('x'));
  await settle();
  outbox.onError({ type: 'error', inputId, code: 'session_not_running', message: 'exited' });
  await assert.rejects(confirmed, (e: BatonError) => e.code === 'session_not_running');
  const [entry] = outbox.getSnapshot();
  assert.equal(entry?.status, 'failed');
  assert.equal(entry?.error?.code, 'session_not_running');
  await settle();
  assert.equal(storage.load()[0]?.failed?.code, 'session_not_running', 'failure is persisted');
  outbox.flush();
  assert.equal(wire.frames.length, 1, 'failed inputs are not retried automatically');
  const again = outbox.retry(inputId);
  assert.equal(again.inputId, inputId);
  assert.deepEqual(
    wire.frames.map((f) => f.inputId),
    [inputId, inputId],
  );
  outbox.onAck({ type: 'ack', sessionId: S1, inputId, seq: 3, duplicate: false });
  assert.equal((await again.confirmed).seq, 3);
});

test('a retryable error puts the input back in line after retryAfterMs', async () => {
  const { wire, outbox, clock } = await setup();
  const { inputId } = outbox.add(S1, text('x'));
  await settle();
  outbox.onError({
    type: 'error',
    inputId,
    code: 'rate_limited',
    message: 'slow down',
    retryAfterMs: 500,
  });
  assert.equal(outbox.getSnapshot()[0]?.status, 'pending');
  clock.advance(499);
  assert.equal(wire.frames.length, 1);
  clock.advance(1);
  assert.equal(wire.frames.length, 2);
});

test('after a retryable refusal, nothing more of the session goes out until every input on the wire is answered', async () => {
  // The server holds the inputs sent behind a refused one (docs/protocol.md, section 7, rule 5):
  // one sent before their answers came back would be held too.
  const { wire, outbox, clock } = await setup();
  const a = outbox.add(S1, text('a'));
  const b = outbox.add(S1, text('b'));
  await settle();
  outbox.onError({
    type: 'error',
    inputId: a.inputId,
    code: 'unavailable',
    message: 'the store cannot write',
    retryAfterMs: 500,
  });
  const c = outbox.add(S1, text('c'));
  const d = outbox.add(S2, text('d'));
  await settle();
  clock.advance(500);
  const sent = () => wire.frames.map((f) => f.inputId);
  assert.deepEqual(sent(), [a.inputId, b.inputId, d.inputId], 'b is still on the wire');
  // The retry came and went while b was on the wire: its answer sends what waited, in order.
  outbox.onAck({ type: 'ack', sessionId: S1, inputId: b.inputId, seq: 1, duplicate: false });
  assert.deepEqual(sent(), [a.inputId, b.inputId, d.inputId, a.inputId, c.inputId]);
  outbox.onAck({ type: 'ack', sessionId: S1, inputId: a.inputId, seq: 2, duplicate: false });
  const e = outbox.add(S1, text('e'));
  await settle();
  assert.equal(sent().at(-1), e.inputId, 'once all are answered, inputs go out at once again');
});

test('discard removes a failed input', async () => {
  const { outbox } = await setup();
  const { inputId, confirmed } = outbox.add(S1, text('x'));
  await settle();
  outbox.onError({ type: 'error', inputId, code: 'read_only', message: 'read-only' });
  await assert.rejects(confirmed);
  outbox.discard(inputId);
  assert.equal(outbox.getSnapshot().length, 0);
});

test('inputs stored by an earlier run are loaded and sent first', async () => {
  const storage = new MemoryOutboxStorage();
  storage.put({ inputId: 'old-1', sessionId: S1, payload: text('old'), createdAt: 1, order: 1 });
  storage.put({
    inputId: 'bad',
    sessionId: 'nope' as SessionId,
    payload: text('x'),
    createdAt: 2,
    order: 2,
  });
  const { wire, outbox } = await setup(storage);
  const fresh = outbox.add(S1, text('new'));
  await settle();
  assert.deepEqual(
    wire.frames.map((f) => f.inputId),
    ['old-1', fresh.inputId],
  );
});

test('unchanged entries keep their identity across publishes', async () => {
  const { outbox } = await setup();
  outbox.add(S1, text('a'));
  await settle();
  const before = outbox.getSnapshot()[0];
  outbox.add(S2, text('b'));
  await settle();
  assert.equal(outbox.getSnapshot()[0], before);
});
