import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { WEBSOCKET_PATH } from '@baton/protocol';
import { startTestServer } from '../testing/test-server.js';

// A connection opened before the close whose upgrade request arrives after it began: the close
// must not wait for a WebSocket it never ends. Without the check it hangs (the test times out).
test(
  'a WebSocket upgrade that arrives while the server closes is refused, and the close ends',
  {
    timeout: 20_000,
  },
  async () => {
    const server = await startTestServer();
    const socket = connect(server.port, server.host);
    await once(socket, 'connect');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    const request = [
      `GET ${WEBSOCKET_PATH} HTTP/1.1`,
      `Host: ${server.host}:${server.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      '',
      '',
    ].join('\r\n');
    // All but the blank line that ends the request: the server has the connection, not the upgrade.
    socket.write(request.slice(0, -2));
    const stopping = server.stop();
    socket.write('\r\n');
    await stopping;
    await closed;
    let answer = '';
    socket.setEncoding('utf8');
    for await (const chunk of socket) answer += String(chunk);
    assert.doesNotMatch(answer, /101 Switching Protocols/, 'no WebSocket was made');
  },
);
