import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeTextFrames } from './text-frames.js';

test('frames encoded at once read back in order as the same messages, at every length size', async (t) => {
  // 125, 126 and 65,536 bytes cross the three length encodings; the last has multi-byte text.
  const payloads: (string | Buffer)[] = [
    '{"a":1}',
    'x'.repeat(125),
    'y'.repeat(126),
    Buffer.from('z'.repeat(65_535)),
    'w'.repeat(65_536),
    `{"text":"${'é✓'.repeat(40_000)}"}`,
  ];
  const wss = new WebSocketServer({ port: 0 });
  t.after(() => wss.close());
  await once(wss, 'listening');
  const address = wss.address();
  assert.ok(typeof address === 'object' && address !== null);
  wss.on('connection', (ws) => {
    // Written below `ws`, on its socket: the bytes must be valid frames on their own.
    const socket = (ws as unknown as { _socket: Socket })._socket;
    socket.write(encodeTextFrames(payloads));
  });
  const client = new WebSocket(`ws://127.0.0.1:${address.port}`);
  const got: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.on('message', (data, isBinary) => {
      assert.equal(isBinary, false);
      got.push(String(data));
      if (got.length === payloads.length) resolve();
    });
    client.on('error', reject);
    client.on('close', () => reject(new Error('closed before every frame arrived')));
  });
  await done;
  client.terminate();
  assert.deepEqual(
    got,
    payloads.map((p) => String(p)),
  );
});
