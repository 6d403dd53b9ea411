import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { PROTOCOL_VERSION } from '@baton/protocol';
import { type BatonError } from './baton-error.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { FakeClock } from './testing/fake-clock.js';
import { FakeSocket } from './testing/fake-socket.js';

beforeEach(() => FakeSocket.reset());

function setup(overrides: Partial<ConnectionOptions> = {}) {
  const clock = new FakeClock();
  const events: string[] = [];
  const connection = new Connection({
    url: 'ws://x/v1/ws',
    token: 't',
    mode: 'cli',
    label: undefined,
    WebSocket: FakeSocket,
    clock,
    backoff: {},
    requestTimeoutMs: 5000,
    handshakeTimeoutMs: 5000,
    pingIntervalMs: undefined,
    pongTimeoutMs: 3000,
    onMessage: () => {},
    onConnected: () => events.push('connected'),
    onDisconnected: () => events.push('disconnected'),
    onProtocolError: () => {},
    ...overrides,
  });
  return { clock, connection, events };
}

test('says hello first and is connected after welcome', () => {
  const { connection, events } = setup();
  connection.connect();
  assert.equal(connection.state.getSnapshot().status, 'connecting');
  FakeSocket.last.handshake();
  assert.deepEqual(FakeSocket.last.sent[0], {
    type: 'hello',
    v: PROTOCOL_VERSION,
    token: 't',
    mode: 'cli',
    eventPages: true,
    livePages: true,
  });
  assert.equal(connection.state.getSnapshot().status, 'connected');
  assert.deepEqual(events, ['connected']);
});

test('reconnects with growing full-jitter backoff and resets after welcome', () => {
  const { connection, clock } = setup();
  clock.randomValue = 0.999;
  connection.connect();
  FakeSocket.last.serverClose(1006);
  let state = connection.state.getSnapshot();
  assert.equal(state.status, 'reconnecting');
  assert.equal(state.attempt, 1);
  assert.equal(state.status === 'reconnecting' && state.retryInMs, 249);
  clock.advance(249);
  assert.equal(FakeSocket.instances.length, 2);
  FakeSocket.last.serverClose(1006);
  state = connection.state.getSnapshot();
  assert.equal(state.status === 'reconnecting' && state.retryInMs, 499);
  clock.advance(499);
  FakeSocket.last.handshake();
  assert.equal(connection.state.getSnapshot().attempt, 0);
  FakeSocket.last.serverClose(1001);
  state = connection.state.getSnapshot();
  assert.equal(state.status === 'reconnecting' && state.retryInMs, 249);
});

test('stops in failed after a terminal close code, with the server reason', () => {
  const { connection, clock } = setup();
  connection.connect();
  FakeSocket.last.open();
  FakeSocket.last.receive({ type: 'error', code: 'unauthorized', message: 'unknown token' });
  FakeSocket.last.serverClose(4401);
  const state = connection.state.getSnapshot();
  assert.equal(state.status, 'failed');
  assert.match(state.status === 'failed' ? state.reason : '', /unknown token/);
  clock.advance(60_000);
  assert.equal(FakeSocket.instances.length, 1, 'no reconnect');
});

test('a request sent before a disconnect fails fast and is retryable', async () => {
  const { connection } = setup();
  connection.connect();
  FakeSocket.last.handshake();
  const pending = connection.request({ type: 'sessions.watch' });
  FakeSocket.last.serverClose(1006);
  await assert.rejects(pending, (e: BatonError) => e.code === 'disconnected' && e.retryable);
});

test('a request made while reconnecting waits for the link', async () => {
  const { connection, clock } = setup();
  connection.connect();
  FakeSocket.last.serverClose(1006);
  const pending = connection.request({ type: 'sessions.watch' });
  clock.advance(300);
  const socket = FakeSocket.last;
  socket.handshake();
  const [watch] = socket.sentOf('sessions.watch');
  assert.ok(watch);
  socket.receive({ type: 'reply', rid: watch['rid'], result: { sessions: [] } });
  assert.deepEqual(await pending, { sessions: [] });
});

test('requests time out, and error replies reject with the server code', async () => {
  const { connection, clock } = setup();
  connection.connect();
  FakeSocket.last.handshake();
  const slow = connection.request({ type: 'sessions.watch' });
  clock.advance(5000);
  await assert.rejects(slow, (e: BatonError) => e.code === 'timeout');
  const refused = connection.request({
    type: 'session.delete',
    sessionId: 's_aaaaaaaaaaaaaaaaaaaa',
  });
  const [del] = FakeSocket.last.sentOf('session.delete');
  FakeSocket.last.receive({
    type: 'error',
    rid: del?.['rid'],
    code: 'not_found',
    message: 'no such session',
  });
  await assert.rejects(refused, (e: BatonError) => e.code === 'not_found' && !e.retryable);
});

test('invalid requests are refused locally with a clear message', async () => {
  const { connection } = setup();
  connection.connect();
  FakeSocket.last.handshake();
  await assert.rejects(
    connection.request({ type: 'session.rename', sessionId: 'bad', name: 'x' }),
    (e: BatonError) => e.code === 'bad_request' && /sessionId/.test(e.message),
  );
});

test('a ping with no answer marks the link dead and reconnects', () => {
  const { connection, clock, events } = setup({ pingIntervalMs: 1000 });
  connection.connect();
  FakeSocket.last.handshake();
  clock.advance(1000);
  assert.equal(FakeSocket.last.sentOf('ping').length, 1);
  FakeSocket.last.receive({ type: 'pong', t: 1 });
  clock.advance(3000);
  assert.equal(connection.state.getSnapshot().status, 'connected', 'answered pings keep it alive');
  clock.advance(3000);
  assert.equal(FakeSocket.instances.length, 2, 'a new socket was opened');
  assert.equal(FakeSocket.instances[0]?.closedWith, 4000);
  assert.deepEqual(events, ['connected', 'disconnected']);
});

test('reconnectNow opens the next socket at once instead of after the backoff', () => {
  const { connection, clock } = setup();
  clock.randomValue = 0.999;
  connection.connect();
  FakeSocket.last.handshake();
  FakeSocket.last.serverClose(1006);
  FakeSocket.last.serverClose(1006);
  clock.advance(249);
  FakeSocket.last.serverClose(1006);
  const state = connection.state.getSnapshot();
  assert.equal(state.status === 'reconnecting' && state.retryInMs, 499);
  connection.reconnectNow();
  assert.equal(FakeSocket.instances.length, 3, 'opened without waiting');
  assert.equal(connection.state.getSnapshot().status, 'connecting');
  FakeSocket.last.handshake();
  clock.advance(10_000);
  assert.equal(FakeSocket.instances.length, 3, 'the cancelled retry never fires');
  assert.equal(connection.state.getSnapshot().status, 'connected');
});

test('reconnectNow with the network changed starts an attempt still connecting again', () => {
  const { connection, clock, events } = setup();
  clock.randomValue = 0.999;
  connection.connect();
  FakeSocket.last.serverClose(1006);
  clock.advance(249);
  const stuck = FakeSocket.last;
  assert.equal(FakeSocket.instances.length, 2);
  assert.equal(connection.state.getSnapshot().status, 'connecting');
  connection.reconnectNow();
  assert.equal(FakeSocket.instances.length, 2, 'focus alone leaves a pending attempt be');
  connection.reconnectNow({ networkChanged: true });
  assert.equal(FakeSocket.instances.length, 3, 'a new attempt at once');
  assert.equal(stuck.closedWith, 4000, 'the stuck attempt was abandoned');
  assert.equal(connection.state.getSnapshot().status, 'connecting');
  // The abandoned socket's late close is not taken for the link's.
  stuck.serverClose(1006);
  assert.equal(connection.state.getSnapshot().status, 'connecting');
  clock.advance(4_999);
  FakeSocket.last.handshake();
  clock.advance(10_000);
  assert.equal(connection.state.getSnapshot().status, 'connected');
  assert.equal(FakeSocket.instances.length, 3, 'no further attempt');
  assert.deepEqual(events, ['connected']);
  connection.reconnectNow({ networkChanged: true });
  assert.equal(FakeSocket.instances.length, 3, 'a welcomed link is checked, not replaced');
  assert.equal(FakeSocket.last.sentOf('ping').length, 1);
});

test('reconnectNow on a link that looks up checks it with a ping and drops it if silent', () => {
  const { connection, clock } = setup();
  connection.connect();
  FakeSocket.last.handshake();
  clock.advance(100);
  connection.reconnectNow();
  assert.equal(FakeSocket.last.sentOf('ping').length, 1, 'pinged at once');
  connection.reconnectNow();
  assert.equal(FakeSocket.last.sentOf('ping').length, 1, 'one probe at a time');
  clock.advance(3000);
  assert.equal(
    connection.state.getSnapshot().status,
    'reconnecting',
    'the silent link was dropped',
  );
});

test('close says goodbye and does not reconnect', async () => {
  const { connection, clock } = setup();
  connection.connect();
  const socket = FakeSocket.last;
  socket.handshake();
  const closed = connection.close();
  socket.serverClose(1000);
  await closed;
  assert.equal(socket.sentOf('goodbye').length, 1);
  assert.equal(socket.closedWith, 1000);
  assert.equal(connection.state.getSnapshot().status, 'disconnected');
  clock.advance(60_000);
  assert.equal(FakeSocket.instances.length, 1);
});

test('close waits for its own socket, not one abandoned before it', async () => {
  const { connection } = setup();
  // A real socket's close event comes later than close(): hold each socket's back.
  const holdClose = (socket: FakeSocket) => {
    socket.close = (code?: number) => {
      socket.closedWith = code ?? 1000;
      socket.readyState = 2;
    };
  };
  connection.connect();
  const abandoned = FakeSocket.last;
  holdClose(abandoned);
  connection.reconnectNow({ networkChanged: true });
  const socket = FakeSocket.last;
  assert.notEqual(socket, abandoned);
  holdClose(socket);
  socket.handshake();
  let settled = false;
  const closed = connection.close().then(() => (settled = true));
  abandoned.serverClose(1006);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, "the abandoned socket's close does not end close()");
  socket.serverClose(1000);
  await closed;
  assert.equal(socket.closedWith, 1000);
});

test('close resolves at once when the socket closed within the call', async () => {
  const { connection } = setup();
  connection.connect();
  FakeSocket.last.handshake();
  // The fake socket's close event fires inside close(): none is still to come, and the fake
  // clock never reaches the 2 s fallback, so only the early return can settle this.
  let settled = false;
  const closed = connection.close().then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, true);
  await closed;
});
