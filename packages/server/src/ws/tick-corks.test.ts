import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { corkForThisTick } from './tick-corks.js';

// Real TCP sockets on loopback: what reaches the kernel is counted at the stream's own write
// hooks (`_write` for one chunk, `_writev` for several), the calls a corked stream saves.

let server: Server;
const received = new Map<number, Buffer[]>();

before(async () => {
  server = createServer((socket) => {
    const port = socket.remotePort!;
    received.set(port, []);
    socket.on('data', (chunk: Buffer) => received.get(port)!.push(chunk));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
after(() => server.close());

async function client(onWrite?: () => void): Promise<{ socket: Socket; writes: () => number }> {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  let calls = 0;
  const inner = socket as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  const write = inner._write.bind(socket);
  const writev = inner._writev.bind(socket);
  inner._write = (...args) => {
    calls += 1;
    onWrite?.();
    write(...args);
  };
  inner._writev = (...args) => {
    calls += 1;
    writev(...args);
  };
  return { socket, writes: () => calls };
}

async function bytesAt(socket: Socket, length: number): Promise<string> {
  const port = socket.localPort!;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = Buffer.concat(received.get(port) ?? []).toString();
    if (text.length >= length) return text;
    if (Date.now() > deadline) throw new Error(`received ${JSON.stringify(text)}, still corked?`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('every socket corked in a tick sends what it was given in one write, uncorked at its end', async () => {
  const clients = await Promise.all([client(), client(), client()]);
  for (const { socket } of clients) {
    for (const part of ['a', 'b', 'c']) {
      corkForThisTick(socket);
      socket.write(part);
    }
    assert.equal(socket.writableCorked, 1, 'corked once, however often asked');
  }
  await new Promise<void>((resolve) => process.nextTick(resolve));
  for (const { socket, writes } of clients) {
    assert.equal(socket.writableCorked, 0, 'uncorked when the tick ended');
    assert.equal(writes(), 1, 'one write for the three frames');
    assert.equal(await bytesAt(socket, 3), 'abc');
  }
  for (const { socket } of clients) socket.destroy();
});

test('a socket corked while the flush runs is uncorked by the next one', async () => {
  const second = await client();
  // `first` reaches the kernel inside the flush, and corks `second` from there.
  const first = await client(() => {
    corkForThisTick(second.socket);
    second.socket.write('y');
  });
  corkForThisTick(first.socket);
  first.socket.write('x');
  assert.equal(await bytesAt(first.socket, 1), 'x');
  assert.equal(await bytesAt(second.socket, 1), 'y');
  assert.equal(second.socket.writableCorked, 0);
  first.socket.destroy();
  second.socket.destroy();
});

test('one callback uncorks every socket of the tick, however many', async () => {
  const clients = await Promise.all([client(), client(), client(), client()]);
  const scheduled = process.nextTick;
  let callbacks = 0;
  process.nextTick = ((...args: Parameters<typeof process.nextTick>) => {
    callbacks += 1;
    scheduled(...args);
  }) as typeof process.nextTick;
  try {
    for (const { socket } of clients) {
      corkForThisTick(socket);
      socket.write('z');
    }
  } finally {
    process.nextTick = scheduled;
  }
  assert.equal(callbacks, 1);
  for (const { socket } of clients) assert.equal(await bytesAt(socket, 1), 'z');
  for (const { socket } of clients) socket.destroy();
});

test('an uncork that throws ends that socket alone', async () => {
  const [bad, good] = await Promise.all([client(), client()]);
  bad.socket.uncork = () => {
    throw new Error('uncork failed');
  };
  const failed = once(bad.socket, 'error');
  corkForThisTick(bad.socket);
  bad.socket.write('never');
  corkForThisTick(good.socket);
  good.socket.write('sent');
  assert.equal(await bytesAt(good.socket, 4), 'sent');
  assert.match(String((await failed)[0]), /uncork failed/);
  assert.ok(bad.socket.destroyed);
  good.socket.destroy();
});
