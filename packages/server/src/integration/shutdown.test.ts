import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { WEBSOCKET_PATH } from '@baton/protocol';
import { startTestServer, waitUntil } from '../testing/test-server.js';

// A connection opened before the close whose upgrade request arrives after it began: the close
// must not make it a WebSocket (without the check it did, and the close waited for it to end).
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

// A request still sending its body holds `server.close` (up to the 60 s request timeout, without
// the grace): the close cuts it and ends. Without the cut the test times out.
test(
  'a request still sending its body when the server closes is cut, and the close ends',
  {
    timeout: 20_000,
  },
  async () => {
    const server = await startTestServer();
    const socket = connect(server.port, server.host);
    await once(socket, 'connect');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.write(
      [
        'POST /api/sessions HTTP/1.1',
        `Host: ${server.host}:${server.port}`,
        `Authorization: Bearer ${server.ownerToken}`,
        'Content-Type: application/json',
        'Content-Length: 1000',
        'Expect: 100-continue',
        '',
        '',
      ].join('\r\n'),
    );
    // The server answers 100 once it has the request: from then on it is a request in progress.
    await waitUntil(() => answer.includes('100 Continue'), 'the server to take the request');
    socket.write('{"kind": "terminal", ');
    await server.stop();
    await closed;
  },
);
