import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, waitUntil } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';
import { parsePrometheusText, sampleValue, type Sample } from './prometheus-text.test-helper.js';

/**
 * /metrics scraped from a real server under real traffic: real WebSocket clients in several
 * modes, a real PTY session with inputs committed to a real SQLite file, a restart, a snapshot,
 * a client flooding frames past its rate limit, HTTP requests with several outcomes.
 */
describe('GET /metrics', () => {
  let server: RunningServer & { stop(): Promise<void> };
  const clients: ProtocolClient[] = [];
  let session: SessionInfo;

  const scrape = async (headers: Record<string, string> = {}): Promise<Sample[]> => {
    const res = await fetch(server.url + '/metrics', { headers });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };

  before(async () => {
    server = await startTestServer({ rateLimit: { perSecond: 20, burst: 40 } });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await server.stop();
  });

  test('counts commits, batch sizes, connections by mode, restarts, snapshots and rate-limited frames', async () => {
    const before = await scrape();
    assert.equal(sampleValue(before, 'baton_commit_duration_seconds_count'), 0);

    for (const mode of ['tab', 'tab', 'cli', 'headless'] as const)
      clients.push(await ProtocolClient.connect(server.wsUrl, server.ownerToken, mode));
    const [tab] = clients as [ProtocolClient];
    ({ session } = await tab.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    }));
    await tab.subscribe(session.id, 0);
    for (let i = 1; i <= 5; i++)
      await tab.submit(session.id, `in-${i}`, { kind: 'terminal', data: `echo ${i}\r` });

    // A restart starts the session's runner a second time.
    await tab.request({ type: 'session.restart', sessionId: session.id });
    await waitUntil(
      () => server.hub.list().find((s) => s.id === session.id)?.status === 'running',
      'the restarted session running',
    );
    // A checkpoint already under way (or a projection not yet caught up) makes one a no-op.
    await waitUntil(async () => {
      await server.hub.get(session.id).checkpoint();
      return sampleValue(await scrape(), 'baton_snapshots_total') >= 1;
    }, 'a snapshot stored');

    // A client past its rate limit: burst 40 at 20/s, and 60 frames at once. The ones over it
    // wait (nothing is refused) and are counted.
    const flood = clients[3]!;
    for (let i = 0; i < 60; i++) flood.send({ type: 'ping', rid: `p${i}` });
    await waitUntil(
      async () => sampleValue(await scrape(), 'baton_rate_limited_frames_total') > 0,
      'frames held for the rate',
    );

    const after = await scrape();
    const commits = sampleValue(after, 'baton_commit_duration_seconds_count');
    assert.ok(commits > 0, `commits were timed (${commits})`);
    assert.ok(sampleValue(after, 'baton_commit_duration_seconds_sum') > 0);
    // Every stored event is in some batch: at least the five inputs and the status changes.
    assert.ok(sampleValue(after, 'baton_commit_batch_events_sum') >= 5);
    assert.equal(sampleValue(after, 'baton_commit_batch_events_count'), commits);

    assert.equal(sampleValue(after, 'baton_connections', { mode: 'tab' }), 2);
    assert.equal(sampleValue(after, 'baton_connections', { mode: 'cli' }), 1);
    assert.equal(sampleValue(after, 'baton_connections', { mode: 'headless' }), 1);
    const open = after
      .filter((s) => s.name === 'baton_connections')
      .reduce((n, s) => n + s.value, 0);
    assert.equal(open, clients.length, 'the gauge counts exactly the open sockets');

    assert.equal(sampleValue(after, 'baton_sessions', { kind: 'terminal', status: 'running' }), 1);
    assert.equal(sampleValue(after, 'baton_runner_starts_total', { kind: 'terminal' }), 2);
    assert.equal(sampleValue(after, 'baton_runner_restarts_total', { kind: 'terminal' }), 1);
    assert.ok(sampleValue(after, 'baton_snapshots_total') >= 1);
    assert.ok(sampleValue(after, 'baton_rate_limited_frames_total') > 0);
    assert.equal(sampleValue(after, 'baton_store_writable'), 1);
    assert.equal(sampleValue(after, 'baton_push_sent_total'), 0);
    server.metrics.pushSent.inc();
    assert.equal(sampleValue(await scrape(), 'baton_push_sent_total'), 1);
    assert.ok(after.some((s) => s.name === 'baton_fanout_buffered_bytes'));
    assert.ok(after.some((s) => s.name === 'process_resident_memory_bytes'));

    // A closed socket leaves the gauge.
    await clients.pop()!.close();
    await waitUntil(
      async () => sampleValue(await scrape(), 'baton_connections', { mode: 'headless' }) === 0,
      'the closed connection to leave the gauge',
    );
  });

  test('counts HTTP requests by status', async () => {
    const count = async (code: string) =>
      sampleValue(await scrape(), 'baton_http_requests_total', { code });
    const [ok, notFound, unauthorized] = [
      await count('200'),
      await count('404'),
      await count('401'),
    ];
    await fetch(server.url + '/api/health');
    await fetch(server.url + '/api/nothing-here');
    await fetch(server.url + '/api/sessions');
    // The scrape that reads the counters was itself answered 200 before this one.
    assert.ok((await count('200')) >= ok + 2);
    assert.equal(await count('404'), notFound + 1);
    assert.equal(await count('401'), unauthorized + 1);
  });

  test('/api/health counts sessions and connections', async () => {
    const health = (await (await fetch(server.url + '/api/health')).json()) as {
      ok: boolean;
      sessions: number;
      connections: number;
    };
    assert.equal(health.ok, true);
    assert.equal(health.sessions, 1);
    assert.equal(health.connections, clients.length);
  });

  test('only GET and HEAD', async () => {
    const res = await fetch(server.url + '/metrics', { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

/** The first address of this machine that is not loopback, to reach a server from "elsewhere". */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('who may read /metrics', () => {
  const address = outsideAddress();
  let server: RunningServer & { stop(): Promise<void> };
  let deviceToken: string;

  before(async () => {
    server = await startTestServer({ host: '0.0.0.0' });
    const res = await fetch(`http://127.0.0.1:${server.port}/api/devices`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.ownerToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'a phone', role: 'editor' }),
    });
    deviceToken = ((await res.json()) as { token: string }).token;
  });
  after(() => server.stop());

  test('a loopback scraper needs no token', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status, 200);
  });

  test(
    'from off the machine: the owner only',
    {
      skip:
        address === undefined
          ? 'this machine has no non-loopback IPv4 address to connect from'
          : false,
    },
    async () => {
      const url = `http://${address!}:${server.port}/metrics`;
      const none = await fetch(url);
      assert.equal(none.status, 401);
      assert.match(await none.text(), /owner token|metrics\.public/);
      const device = await fetch(url, { headers: { authorization: `Bearer ${deviceToken}` } });
      assert.equal(device.status, 403);
      const owner = await fetch(url, {
        headers: { authorization: `Bearer ${server.ownerToken}` },
      });
      assert.equal(owner.status, 200);
      assert.match(await owner.text(), /^# HELP /m);
    },
  );

  test(
    'metrics.public serves everyone',
    {
      skip:
        address === undefined
          ? 'this machine has no non-loopback IPv4 address to connect from'
          : false,
    },
    async () => {
      const open = await startTestServer({ host: '0.0.0.0', metrics: { public: true } });
      try {
        assert.equal((await fetch(`http://${address!}:${open.port}/metrics`)).status, 200);
      } finally {
        await open.stop();
      }
    },
  );
});
