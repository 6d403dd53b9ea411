import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputPayload, SessionId } from '@baton/protocol';
import type { BatonError } from './baton-error.js';
import { Outbox, TERMINAL_INPUT_TTL_MS, dropMessage, type DroppedInputs } from './outbox.js';
import { MemoryOutboxStorage, type OutboxRecord } from './outbox-storage.js';
import { FakeClock } from './testing/fake-clock.js';

/** Unit: the outbox alone, with a manual clock and an in-memory wire. */

const S = 's_aaaaaaaaaaaaaaaaaaaa' as SessionId;
const keys = (data: string, run?: number): InputPayload =>
  run === undefined ? { kind: 'terminal', data } : { kind: 'terminal', data, run };

class RecordingStorage extends MemoryOutboxStorage {
  readonly puts: OutboxRecord[] = [];
  override put(record: OutboxRecord): void {
    this.puts.push(record);
    super.put(record);
  }
}

async function setup(storage = new RecordingStorage()) {
  const wire = { online: false, frames: [] as Array<{ inputId: string; payload: InputPayload }> };
  const clock = new FakeClock();
  const dropped: DroppedInputs[] = [];
  const outbox = new Outbox(
    storage,
    {
      canSend: () => wire.online,
      send: (frame) => {
        wire.frames.push(frame);
        return true;
      },
    },
    clock,
    (e) => {
      throw e;
    },
    (d) => dropped.push(d),
  );
  await outbox.load();
  return { wire, clock, outbox, storage, dropped };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('keystrokes are never written to storage; chat messages still are', async () => {
  const { outbox, storage, wire } = await setup();
  outbox.add(S, keys('ls\r'));
  outbox.add(S, { kind: 'message', text: 'hello' });
  await settle();
  assert.deepEqual(
    storage.puts.map((r) => r.payload.kind),
    ['message'],
  );
  wire.online = true;
  outbox.flush();
  assert.equal(wire.frames[0]?.payload.kind, 'terminal', 'the keys are still sent');
});

test('keystrokes stored by an earlier version are deleted on load, never sent, and reported', async () => {
  const storage = new RecordingStorage();
  storage.put({
    inputId: 'old-keys',
    sessionId: S,
    payload: keys('rm -rf .\r'),
    createdAt: 1,
    order: 1,
  });
  storage.put({
    inputId: 'old-msg',
    sessionId: S,
    payload: { kind: 'message', text: 'hi' },
    createdAt: 2,
    order: 2,
  });
  const { outbox, wire, dropped } = await setup(storage);
  wire.online = true;
  outbox.flush();
  assert.deepEqual(
    wire.frames.map((f) => f.inputId),
    ['old-msg'],
  );
  assert.deepEqual(
    storage.load().map((r) => r.inputId),
    ['old-msg'],
  );
  assert.deepEqual(dropped, [{ sessionId: S, count: 1, reason: 'expired' }]);
});

test('unsent keystrokes expire after the TTL and the drop is reported once, with the count', async () => {
  const { outbox, wire, clock, dropped } = await setup();
  const first = outbox.add(S, keys('a'));
  outbox.add(S, keys('b'));
  outbox.add(S, { kind: 'message', text: 'kept' });
  await settle();
  clock.advance(TERMINAL_INPUT_TTL_MS - 10);
  assert.equal(dropped.length, 0);
  clock.advance(20);
  assert.deepEqual(dropped, [{ sessionId: S, count: 2, reason: 'expired' }]);
  await assert.rejects(first.confirmed, (e: BatonError) => e.code === 'expired');
  assert.deepEqual(
    outbox.getSnapshot().map((e) => e.payload.kind),
    ['message'],
  );
  wire.online = true;
  outbox.flush();
  assert.deepEqual(
    wire.frames.map((f) => f.payload.kind),
    ['message'],
    'expired keys are never sent',
  );
  assert.equal(dropMessage('restarted', 2), '2 keystrokes were not sent: the session restarted');
});

test('keystrokes sent and cut off by a disconnect expire instead of being replayed later', async () => {
  const { outbox, wire, clock, dropped } = await setup();
  wire.online = true;
  outbox.add(S, keys('x'));
  assert.equal(outbox.getSnapshot()[0]?.status, 'sent');
  wire.online = false;
  outbox.onDisconnected();
  clock.advance(TERMINAL_INPUT_TTL_MS + 1);
  assert.deepEqual(dropped, [{ sessionId: S, count: 1, reason: 'expired' }]);
});

test('a new run drops pending keys typed for an older one; a refusal drops instead of failing', async () => {
  const { outbox, wire, dropped } = await setup();
  const old = outbox.add(S, keys('a', 3));
  outbox.add(S, keys('b', 7));
  outbox.onRun(S, 5);
  assert.deepEqual(dropped, [{ sessionId: S, count: 1, reason: 'restarted' }]);
  await assert.rejects(old.confirmed, (e: BatonError) => e.code === 'stale_input');
  assert.equal(outbox.getSnapshot().length, 1, 'keys for a newer run than known are kept');

  wire.online = true;
  outbox.flush();
  const sent = wire.frames.at(-1)!;
  outbox.onError({
    type: 'error',
    sessionId: S,
    inputId: sent.inputId,
    code: 'stale_input',
    message: 'restarted',
  });
  assert.deepEqual(dropped.at(-1), { sessionId: S, count: 1, reason: 'restarted' });
  assert.equal(outbox.getSnapshot().length, 0, 'not kept as failed');
});
