import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { BatonClient } from './baton-client.js';
import { BatonError } from './baton-error.js';
import { FakeClock } from './testing/fake-clock.js';
import { FakeSocket } from './testing/fake-socket.js';

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => FakeSocket.reset());

/** A client connected to a fake server that knows one idle claude session. */
async function connected(): Promise<{ client: BatonClient; socket: FakeSocket }> {
  const client = new BatonClient({
    url: 'ws://x/v1/ws',
    token: 't',
    mode: 'tab',
    WebSocket: FakeSocket,
    clock: new FakeClock(),
  });
  client.connect();
  client.subscribe(S);
  const socket = FakeSocket.last;
  socket.handshake();
  const session = {
    id: S,
    name: 'chat',
    kind: 'claude' as const,
    status: 'running' as const,
    createdAt: 1,
    lastActivityAt: 1,
    headSeq: 0,
    epoch: 'e_1',
    config: {},
    attached: [],
    attachedCount: 0,
  };
  for (const frame of socket.sentOf('sessions.watch'))
    socket.receive({ type: 'reply', rid: frame['rid'], result: { sessions: [session] } });
  for (const frame of socket.sentOf('subscribe'))
    socket.receive({
      type: 'reply',
      rid: frame['rid'],
      result: { session, headSeq: 0, epoch: 'e_1' },
    });
  await settle();
  return { client, socket };
}

test('withdraw waits for the input to be stored, then asks the server and returns its answer', async () => {
  const { client, socket } = await connected();
  const { inputId } = client.send(S, { kind: 'message', text: 'never mind' });
  await settle();
  assert.equal(socket.sentOf('input').length, 1);

  const withdrawn = client.withdraw(S, inputId);
  await settle();
  assert.equal(
    socket.sentOf('input.withdraw').length,
    0,
    'a withdrawal never overtakes the input it is about',
  );
  socket.receive({ type: 'ack', sessionId: S, inputId, seq: 3, duplicate: false });
  await settle();
  const [frame] = socket.sentOf('input.withdraw');
  assert.deepEqual({ ...frame, rid: 0 }, { type: 'input.withdraw', rid: 0, sessionId: S, inputId });
  socket.receive({ type: 'reply', rid: frame?.['rid'], result: { seq: 4, duplicate: false } });
  assert.deepEqual(await withdrawn, { seq: 4, duplicate: false });

  const late = client.withdraw(S, inputId);
  await settle();
  const again = socket.sentOf('input.withdraw')[1];
  socket.receive({
    type: 'error',
    rid: again?.['rid'],
    sessionId: S,
    code: 'already_started',
    message: 'a turn took it',
  });
  await assert.rejects(
    late,
    (err: unknown) => err instanceof BatonError && err.code === 'already_started',
  );
  await client.close();
});
