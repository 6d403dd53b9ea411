import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import { BatonClient } from './baton-client.js';
import { FakeClock } from './testing/fake-clock.js';
import { FakeSocket } from './testing/fake-socket.js';

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => FakeSocket.reset());

function info(headSeq = 0) {
  return {
    id: S,
    name: 'chat',
    kind: 'claude' as const,
    status: 'idle' as const,
    createdAt: 1,
    lastActivityAt: 1,
    headSeq,
    epoch: 'e_1',
    config: {},
    attached: [],
    attachedCount: 0,
  };
}

function text(seq: number, messageId = `m${seq}`): LogEvent {
  return { seq, ts: seq, type: 'agent.text', data: { messageId, text: `t${seq}` } };
}

/** Plays the server: answers sessions.watch and subscribe. */
async function connect(client: BatonClient): Promise<FakeSocket> {
  const socket = FakeSocket.last;
  socket.handshake();
  for (const frame of socket.sentOf('sessions.watch')) {
    socket.receive({ type: 'reply', rid: frame['rid'], result: { sessions: [info()] } });
  }
  answerSubscribes(socket);
  void client;
  await settle();
  return socket;
}

function answerSubscribes(socket: FakeSocket): void {
  for (const frame of socket.sentOf('subscribe')) {
    socket.receive({
      type: 'reply',
      rid: frame['rid'],
      result: { session: info(), headSeq: 0, epoch: 'e_1' },
    });
  }
}

function setup() {
  const clock = new FakeClock();
  const client = new BatonClient({
    url: 'ws://x/v1/ws',
    token: 't',
    mode: 'tab',
    WebSocket: FakeSocket,
    clock,
  });
  client.connect();
  return { client, clock };
}

test('resubscribes after a reconnect from lastSeq and ignores the replayed seam', async () => {
  const { client, clock } = setup();
  const store = client.subscribe(S);
  const first = await connect(client);
  assert.equal(store.getSnapshot().status, 'live');
  first.receive({ type: 'event', sessionId: S, event: text(1) });
  first.receive({ type: 'event', sessionId: S, event: text(2) });
  first.serverClose(1006);
  assert.equal(store.getSnapshot().status, 'offline');
  clock.advance(10_000);
  const second = await connect(client);
  assert.equal(second.sentOf('subscribe')[0]?.['afterSeq'], 2);
  second.receive({ type: 'event', sessionId: S, event: text(2) });
  second.receive({ type: 'event', sessionId: S, event: text(3) });
  assert.deepEqual(
    store.getSnapshot().events.map((e) => e.seq),
    [1, 2, 3],
  );
  await client.close();
});

test('fetches the missing range on a gap and applies in order', async () => {
  const { client } = setup();
  const store = client.subscribe(S);
  const socket = await connect(client);
  const seen: number[] = [];
  client.onEvent(({ event }) => seen.push(event.seq));
  socket.receive({ type: 'event', sessionId: S, event: text(1) });
  socket.receive({ type: 'event', sessionId: S, event: text(4) });
  const [fetch] = socket.sentOf('fetch');
  assert.deepEqual(
    { ...fetch, rid: 0 },
    // The position's epoch travels with it (from the subscribe reply).
    { type: 'fetch', rid: 0, sessionId: S, afterSeq: 1, limit: 2, epoch: 'e_1' },
  );
  socket.receive({
    type: 'reply',
    rid: fetch?.['rid'],
    result: { events: [text(2), text(3)], headSeq: 4, epoch: 'e_1', compacted: false },
  });
  await settle();
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.deepEqual(
    store.getSnapshot().events.map((e) => e.seq),
    [1, 2, 3, 4],
  );
  await client.close();
});

test('pending inputs sit on top of the log until the log contains them', async () => {
  const { client } = setup();
  const store = client.subscribe(S);
  const socket = await connect(client);
  const { inputId } = client.send(S, { kind: 'message', text: 'hello' });
  assert.equal(store.getSnapshot().pending[0]?.inputId, inputId);
  await settle();
  assert.equal(socket.sentOf('input').length, 1);
  socket.receive({ type: 'ack', sessionId: S, inputId, seq: 1, duplicate: false });
  assert.equal(store.getSnapshot().pending[0]?.status, 'confirmed', 'still shown after the ack');
  socket.receive({
    type: 'event',
    sessionId: S,
    event: {
      seq: 1,
      ts: 1,
      type: 'input',
      data: { inputId, deviceId: 'd1', payload: { kind: 'message', text: 'hello' } },
    },
  });
  assert.equal(store.getSnapshot().pending.length, 0);
  assert.equal(client.outbox.getSnapshot().length, 0);
  await client.close();
});

test('streams assemble per message and drop when the final text arrives', async () => {
  const { client } = setup();
  const store = client.subscribe(S);
  const socket = await connect(client);
  socket.receive({ type: 'stream', sessionId: S, messageId: 'm1', channel: 'text', delta: 'Hel' });
  socket.receive({ type: 'stream', sessionId: S, messageId: 'm1', channel: 'text', delta: 'lo' });
  assert.deepEqual(store.getSnapshot().streams, [
    { messageId: 'm1', channel: 'text', text: 'Hello' },
  ]);
  socket.receive({ type: 'event', sessionId: S, event: text(1, 'm1') });
  assert.deepEqual(store.getSnapshot().streams, []);
  socket.receive({ type: 'stream', sessionId: S, messageId: 'm1', channel: 'text', delta: 'late' });
  assert.deepEqual(
    store.getSnapshot().streams,
    [],
    'late fragments of a finished message are dropped',
  );
  await client.close();
});

test('snapshots keep their identity until something changes', async () => {
  const { client } = setup();
  const store = client.subscribe(S);
  const socket = await connect(client);
  const a = store.getSnapshot();
  assert.equal(store.getSnapshot(), a);
  client.send('s_bbbbbbbbbbbbbbbbbbbb', { kind: 'message', text: 'elsewhere' });
  assert.equal(store.getSnapshot(), a, 'another session’s input does not change this one');
  socket.receive({ type: 'event', sessionId: S, event: text(1) });
  assert.notEqual(store.getSnapshot(), a);
  const sessions = client.sessions.getSnapshot();
  assert.equal(sessions.loaded, true);
  assert.equal(sessions.sessions[0]?.id, S);
  socket.receive({ type: 'sessions.changed', change: 'remove', sessionId: S });
  assert.equal(client.sessions.getSnapshot().sessions.length, 0);
  await client.close();
});

test('subscriptions are counted and the last release unsubscribes', async () => {
  const { client } = setup();
  client.subscribe(S);
  client.subscribe(S);
  const socket = await connect(client);
  client.unsubscribe(S);
  assert.equal(socket.sentOf('unsubscribe').length, 0);
  client.unsubscribe(S);
  assert.equal(socket.sentOf('unsubscribe').length, 1);
  assert.equal(client.session(S), undefined);
  await client.close();
});

test('holders that subscribe in one task send one subscribe with their combined access', async () => {
  const { client } = setup();
  const socket = await connect(client);
  // A read-only part subscribes first, then its writable page, as effects run child first.
  client.subscribe(S, { readOnly: true });
  const store = client.subscribe(S);
  await settle();
  const sent = socket.sentOf('subscribe');
  assert.equal(sent.length, 1, 'one subscribe: the server replays the log once');
  assert.equal(sent[0]?.['readOnly'], undefined, 'writable, as the page asked');
  answerSubscribes(socket);
  await settle();
  assert.equal(store.getSnapshot().status, 'live');
  // A later change of access still goes out (a sent subscribe needs another).
  client.unsubscribe(S);
  assert.equal(socket.sentOf('subscribe').length, 2);
  assert.equal(socket.sentOf('subscribe')[1]?.['readOnly'], true);
  await client.close();
});

test('bad arguments throw clear errors', () => {
  const { client } = setup();
  assert.throws(() => client.send('nope', { kind: 'message', text: 'x' }), /invalid session id/);
  assert.throws(() => client.send(S, { kind: 'message', text: '' }), /invalid input payload/);
  assert.throws(
    () => new BatonClient({ url: 'http://x', token: 't', mode: 'tab', WebSocket: FakeSocket }),
    /ws:\/\//,
  );
});
