import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { CloseCode, PROTOCOL_VERSION, type DeviceListing } from '@baton/protocol';
import { callApi } from '../testing/http-api.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, waitUntil } from '../testing/test-server.js';

interface Closed {
  code: number;
  reason: string;
}

/** Opens a raw WebSocket (no hello) and records how it closes. */
async function openRaw(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ ws: WebSocket; closed: Promise<Closed>; frames: string[] }> {
  const ws = new WebSocket(url, options);
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(String(d)));
  const closed = new Promise<Closed>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused with ${res.statusCode}`)),
    );
  });
  return { ws, closed, frames };
}

/** The HTTP status an upgrade with these headers gets (101 when it opens). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', () => {});
  });
}

const hello = (token: string) =>
  JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, token, mode: 'tab' });

describe('abuse limits on the WebSocket', () => {
  test('more than 8 KiB before hello closes with 1009 and a reason; hello itself still fits', async () => {
    const server = await startTestServer();
    try {
      const big = await openRaw(server.wsUrl);
      big.ws.send('x'.repeat(64 * 1024));
      const closed = await big.closed;
      assert.equal(closed.code, CloseCode.TooLarge);
      assert.match(closed.reason, /8192 bytes before hello/);
      // Many small frames add up the same way.
      const many = await openRaw(server.wsUrl);
      for (let i = 0; i < 40; i++)
        many.ws.send(JSON.stringify({ type: 'ping', pad: 'y'.repeat(400) }));
      assert.equal((await many.closed).code, CloseCode.TooLarge);
      // After hello the normal frame limit applies.
      const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const { session } = await c.request<{ session: { id: string } }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      const ack = await c.submit(session.id, 'large', {
        kind: 'terminal',
        data: 'z'.repeat(32 * 1024),
      });
      assert.ok(ack.seq > 0, 'an authenticated client may send frames larger than 8 KiB');
      await c.close();
    } finally {
      await server.stop();
    }
  });

  test('no hello within the deadline closes with 4408', async () => {
    const server = await startTestServer({ helloTimeoutMs: 200 });
    try {
      const idle = await openRaw(server.wsUrl);
      const closed = await idle.closed;
      assert.equal(closed.code, CloseCode.HelloTimeout);
      assert.match(closed.reason, /no hello/);
    } finally {
      await server.stop();
    }
  });

  test('connections waiting for hello are capped; extra ones close with 1013 and a reason', async () => {
    const server = await startTestServer({ maxPendingConnections: 3 });
    try {
      const waiting = [
        await openRaw(server.wsUrl),
        await openRaw(server.wsUrl),
        await openRaw(server.wsUrl),
      ];
      const extra = await openRaw(server.wsUrl);
      const closed = await extra.closed;
      assert.equal(closed.code, CloseCode.TryAgainLater);
      assert.match(closed.reason, /waiting for hello; retry later/);
      // Authenticated clients are not counted: one of the waiting ones says hello, and a new
      // connection is accepted again.
      waiting[0]!.ws.send(hello(server.ownerToken));
      await waitUntil(() => waiting[0]!.frames.some((f) => f.includes('"welcome"')), 'welcome');
      const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      assert.ok(!c.closed);
      await c.close();
      for (const w of waiting) w.ws.close();
    } finally {
      await server.stop();
    }
  });

  test('frames over the rate wait and are handled in the order sent: none is refused', async () => {
    const server = await startTestServer({ rateLimit: { perSecond: 50, burst: 5 } });
    try {
      const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const { session } = await c.request<{ session: { id: string } }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await c.subscribe(session.id);
      // Pings and inputs interleaved, all sent at once: 40 frames against a burst of 5.
      const started = performance.now();
      for (let i = 0; i < 20; i++) {
        c.send({ type: 'ping', rid: `p${i}` });
        c.send({
          type: 'input',
          sessionId: session.id,
          inputId: `flood-${String(i).padStart(2, '0')}`,
          payload: { kind: 'terminal', data: 'x' },
        });
      }
      await c.waitFor((f) => f.type === 'ack' && f.inputId === 'flood-19', 15_000);
      // The bucket cannot have let 40 frames through in less than (40 - 5) / 50 s: they waited.
      const took = performance.now() - started;
      assert.ok(took >= 600, `the frames were held to the rate (all handled in ${took} ms)`);
      assert.deepEqual(
        c.frames.filter((f) => f.type === 'error'),
        [],
        'no frame was refused',
      );
      const pongs = c.frames.flatMap((f) => (f.type === 'pong' ? [f.rid] : []));
      assert.deepEqual(
        pongs,
        Array.from({ length: 20 }, (_, i) => `p${i}`),
        'every ping answered, in order',
      );
      const acks = c.frames.flatMap((f) => (f.type === 'ack' ? [[f.inputId, f.seq] as const] : []));
      assert.deepEqual(
        acks.map(([id]) => id),
        Array.from({ length: 20 }, (_, i) => `flood-${String(i).padStart(2, '0')}`),
        'every input acknowledged, in order',
      );
      assert.ok(
        acks.every(([, seq], i) => i === 0 || seq > acks[i - 1]![1]),
        'the inputs were stored in the order sent',
      );
      await c.close();
    } finally {
      await server.stop();
    }
  });

  test('a connection closed while its frames wait for the rate closes at once', async () => {
    const server = await startTestServer({ rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const reg = (
        await callApi(server.url, server.ownerToken, 'POST', '/api/devices', {
          name: 'flooder',
          role: 'editor',
        })
      ).body as unknown as { deviceId: string; token: string };
      const c = await ProtocolClient.connect(server.wsUrl, reg.token);
      for (let i = 0; i < 10; i++) c.send({ type: 'ping', rid: `p${i}` });
      // Three pass; the other seven wait, a second each, with the socket not being read.
      await waitUntil(() => c.frames.filter((f) => f.type === 'pong').length === 3, '3 pongs');
      const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)));
      const started = performance.now();
      await callApi(server.url, server.ownerToken, 'DELETE', `/api/devices/${reg.deviceId}`);
      assert.equal(await closed, CloseCode.DeviceRevoked);
      // The server's side of the close needs the peer's closing frame read: left paused, the
      // socket would stay until the close's 2 s grace period cut it, the device online till then.
      await waitUntil(async () => {
        const { devices } = (await callApi(server.url, server.ownerToken, 'GET', '/api/devices'))
          .body as unknown as { devices: DeviceListing[] };
        return devices.find((d) => d.id === reg.deviceId)?.online === 0;
      }, 'the connection closed on the server');
      const took = performance.now() - started;
      assert.ok(took < 1_500, `closed in ${Math.round(took)} ms, not at the grace period`);
      assert.equal(c.frames.filter((f) => f.type === 'pong').length, 3, 'what waited is dropped');
    } finally {
      await server.stop();
    }
  });

  test('the default limits leave an honest burst alone', async () => {
    const server = await startTestServer();
    try {
      const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const replies = await Promise.all(
        Array.from({ length: 2000 }, () => c.request({ type: 'sessions.watch' })),
      );
      assert.equal(replies.length, 2000);
      assert.ok(!c.frames.some((f) => f.type === 'error'));
      await c.close();
    } finally {
      await server.stop();
    }
  });

  test('the upgrade checks Host: a DNS-rebinding page with a matching Origin is refused 403', async () => {
    const server = await startTestServer({ allowedOrigins: ['https://baton.example.org'] });
    try {
      const port = server.port;
      // evil.example re-pointed at 127.0.0.1: the browser sends its own name as Host and Origin.
      assert.equal(
        await upgradeStatus(server.wsUrl, {
          host: `evil.example:${port}`,
          origin: `http://evil.example:${port}`,
        }),
        403,
      );
      assert.equal(await upgradeStatus(server.wsUrl, { host: `evil.example:${port}` }), 403);
      assert.equal(await upgradeStatus(server.wsUrl, { host: 'a b' }), 400);
      assert.equal(await upgradeStatus(server.wsUrl, { host: `localhost:${port}` }), 101);
      assert.equal(await upgradeStatus(server.wsUrl, { host: `127.0.0.1:${port}` }), 101);
      assert.equal(await upgradeStatus(server.wsUrl, { host: `[::1]:${port}` }), 101);
      assert.equal(
        await upgradeStatus(server.wsUrl, {
          host: 'baton.example.org',
          origin: 'https://baton.example.org',
        }),
        101,
        'the host of an allowed origin (a reverse proxy) is accepted',
      );
      assert.equal(
        await upgradeStatus(server.wsUrl.replace('/v1/ws', '/v1/ws%zz'), {}),
        400,
        'a malformed path on the upgrade is a 400, not a crash',
      );
    } finally {
      await server.stop();
    }
  });

  test('a browser extension connects only when its exact origin is allowed, and its id is never a Host', async () => {
    const extension = 'chrome-extension://pkcigpealhbabppkcemiapdjkbnoohod';
    const other = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const closed = await startTestServer();
    const open = await startTestServer({ allowedOrigins: [extension] });
    try {
      const host = (s: { port: number }): string => `127.0.0.1:${s.port}`;
      assert.equal(
        await upgradeStatus(closed.wsUrl, { host: host(closed), origin: extension }),
        403,
        'not allowed by default',
      );
      assert.equal(
        await upgradeStatus(open.wsUrl, { host: host(open), origin: extension }),
        101,
        'the allowed extension connects',
      );
      assert.equal(
        await upgradeStatus(open.wsUrl, { host: host(open), origin: other }),
        403,
        'another extension does not',
      );
      assert.equal(
        await upgradeStatus(open.wsUrl, {
          host: `pkcigpealhbabppkcemiapdjkbnoohod:${open.port}`,
          origin: extension,
        }),
        403,
        "the extension's id is not a name the server answers to",
      );
    } finally {
      await closed.stop();
      await open.stop();
    }
  });

  test('a heartbeat timeout closes with 4410', async () => {
    const server = await startTestServer({ heartbeatMs: 100 });
    try {
      // A client that reads but never answers pings and never sends a frame.
      const silent = await openRaw(server.wsUrl, { autoPong: false });
      silent.ws.send(hello(server.ownerToken));
      const closed = await silent.closed;
      assert.equal(closed.code, CloseCode.HeartbeatTimeout);
      assert.match(closed.reason, /heartbeat/);
    } finally {
      await server.stop();
    }
  });
});
