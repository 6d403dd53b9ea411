import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatonClient } from './baton-client.js';
import type { BatonError } from './baton-error.js';
import { FakeClock } from './testing/fake-clock.js';
import { FakeSocket } from './testing/fake-socket.js';

/** Unit: the client alone; the test plays a newer server that sends an error code added later. */

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('an error code this client does not know fails the input for good, like bad_request', async () => {
  FakeSocket.reset();
  const client = new BatonClient({
    url: 'ws://x/v1/ws',
    token: 't',
    mode: 'tab',
    WebSocket: FakeSocket,
    watchSessions: false,
    clock: new FakeClock(),
  });
  client.connect();
  const socket = FakeSocket.last;
  socket.handshake();
  await settle();
  const failed: Array<{ inputId: string; error: BatonError }> = [];
  const errors: BatonError[] = [];
  client.on('inputFailed', (f) => failed.push(f));
  client.on('error', (e) => errors.push(e));

  const input = client.send(S, { kind: 'message', text: 'hi' });
  await settle();
  assert.equal(socket.sentOf('input').length, 1);
  socket.receive({
    type: 'error',
    sessionId: S,
    inputId: input.inputId,
    code: 'quota_exceeded',
    message: 'a code from a newer server',
  });
  await assert.rejects(input.confirmed, (e: BatonError) => e.code === 'quota_exceeded');
  assert.equal(failed[0]?.error.retryable, false);
  assert.equal(client.outbox.getSnapshot()[0]?.status, 'failed', 'kept for retry or discard');

  socket.receive({ type: 'error', code: 'quota_exceeded', message: 'not about an input' });
  assert.equal(errors.at(-1)?.code, 'quota_exceeded');
  assert.equal(socket.sentOf('input').length, 1, 'not resent by itself');
  await client.close();
});
