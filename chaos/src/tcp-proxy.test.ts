import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { TcpProxy } from './tcp-proxy.js';

async function echoServer(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function collector(socket: Socket): { text: () => string } {
  let text = '';
  socket.on('data', (d) => (text += String(d)));
  return { text: () => text };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('forwards both ways, stalls, releases and cuts', async () => {
  const echo = await echoServer();
  const proxy = new TcpProxy(echo.port);
  const port = await proxy.listen();
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const got = collector(socket);
  socket.write('one;');
  await until(() => got.text() === 'one;');

  proxy.stall(true);
  socket.write('two;');
  // Nothing to wait for here: "nothing passes" can only be watched for a while. What the test
  // depends on, the bytes arriving once the stall ends, is waited for as a condition below.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.text(), 'one;', 'nothing passes a stalled proxy');
  proxy.stall(false);
  await until(() => got.text() === 'one;two;');

  proxy.stallDownstream(true);
  socket.write('three;');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.text(), 'one;two;', 'the server side is not forwarded while stalled');
  proxy.stallDownstream(false);
  await until(() => got.text() === 'one;two;three;');

  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  assert.equal(proxy.cutAll(), 1);
  await closed;
  await proxy.close();
  echo.close();
});
