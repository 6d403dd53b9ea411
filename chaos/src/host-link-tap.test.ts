import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { HOST_LINK_PATH } from '@baton/protocol';
import { WebSocket, WebSocketServer } from 'ws';
import { HostLinkTap } from './host-link-tap.js';

/**
 * A stand-in relay on a real port: HTTP answers with the path, the host link acknowledges every
 * `out` except n = 3, and `close:CODE` / `drop` end the link as told.
 */
async function standInRelay(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => res.end(`relay saw ${req.method} ${req.url}`));
  const wss = new WebSocketServer({ server, path: HOST_LINK_PATH });
  wss.on('connection', (ws) =>
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('close:')) return ws.close(Number(text.slice(6)), 'told to');
      if (text === 'drop') return ws.terminate();
      const frame = JSON.parse(text) as { type: string; sessionId: string; n: number };
      if (frame.type === 'out' && frame.n !== 3)
        ws.send(JSON.stringify({ type: 'out.ack', sessionId: frame.sessionId, n: frame.n }));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const out = (n: number, text: string) =>
  JSON.stringify({
    type: 'out',
    sessionId: 's_1',
    n,
    body: { kind: 'events', events: [{ type: 'terminal.output', data: { data: text } }] },
    sig: 'x',
  });

async function connect(port: number): Promise<{ ws: WebSocket; acks: number[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${HOST_LINK_PATH}`);
  const acks: number[] = [];
  ws.on('message', (d) => acks.push((JSON.parse(String(d)) as { n: number }).n));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, acks };
}

const closed = (ws: WebSocket) =>
  new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

test('the tap forwards HTTP and the host link, recording outs and acknowledgements', async () => {
  const relay = await standInRelay();
  const tap = new HostLinkTap(relay.port);
  const port = await tap.listen();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/pairings/redeem`, { method: 'POST' });
    assert.equal(await res.text(), 'relay saw POST /api/pairings/redeem');

    const { ws, acks } = await connect(port);
    for (const n of [1, 2, 3]) ws.send(out(n, `line ${n}`));
    ws.send(out(2, 'other text'));
    const deadline = Date.now() + 5000;
    while (acks.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(acks, [1, 2, 2]);
    const session = tap.sessions.get('s_1')!;
    assert.deepEqual([...session.acked].sort(), [1, 2]);
    assert.deepEqual([...session.outs.keys()], [1, 2, 3]);
    assert.deepEqual(session.outs.get(1)!.events, [
      '{"data":{"data":"line 1"},"type":"terminal.output"}',
    ]);
    assert.equal(session.outs.get(2)!.changed, true);
    assert.equal(session.outs.get(1)!.changed, false);

    // The relay's close code reaches the host; a dropped link is dropped on the host's side too.
    const told = closed(ws);
    ws.send('close:4401');
    assert.equal(await told, 4401);
    const second = await connect(port);
    const dropped = closed(second.ws);
    second.ws.send('drop');
    assert.equal(await dropped, 1006);
  } finally {
    await tap.close();
    await relay.close();
  }
});
