import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostListResponse, SessionInfo } from '@baton/protocol';
import { callApi } from '../testing/http-api.js';
import { startWelcomedHost } from '../testing/relay-host.js';
import { registerDevice } from '../testing/register-device.js';
import { QUIET_TERMINAL, startTestServer, waitUntil } from '../testing/test-server.js';

test('a server that is not a relay refuses a session that names a host', async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const created = await callApi(server.url, server.ownerToken, 'POST', '/api/sessions', {
    kind: 'terminal',
    config: { ...QUIET_TERMINAL, host: 'laptop' },
  });
  assert.equal(created.status, 400);
  assert.match(created.body.error!.message, /only on a relay/);
});

test('a revoked host is cut off at once: its link closes and it stops reconnecting', async (t) => {
  const relay = await startTestServer({ relay: true });
  let refused: string | undefined;
  const { host, hostId, close } = await startWelcomedHost(relay, {
    name: 'laptop',
    onRefused: (reason) => (refused = reason),
  });
  t.after(async () => {
    await close();
    await relay.stop();
  });

  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...QUIET_TERMINAL, host: 'laptop' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body.session.host, {
    id: hostId,
    name: 'laptop',
    online: true,
    keyFingerprint: host.keyFingerprint,
  });

  const revoked = await callApi(relay.url, relay.ownerToken, 'DELETE', `/api/devices/${hostId}`);
  assert.equal(revoked.status, 200);
  await waitUntil(() => refused, 'the host is refused');
  assert.match(refused!, /revoked/);
  const { body } = await callApi<{ sessions: SessionInfo[] }>(
    relay.url,
    relay.ownerToken,
    'GET',
    '/api/sessions',
  );
  assert.equal(body.sessions[0]!.host?.online, false);
  const hosts = await callApi<HostListResponse>(relay.url, relay.ownerToken, 'GET', '/api/hosts');
  assert.deepEqual(hosts.body.hosts, [], 'a revoked host is no longer listed');
});

test('GET /api/hosts lists a host with no sessions, its sessions, and when it was last seen', async (t) => {
  const plain = await startTestServer();
  t.after(() => plain.stop());
  const notRelay = await callApi<HostListResponse>(
    plain.url,
    plain.ownerToken,
    'GET',
    '/api/hosts',
  );
  assert.deepEqual(notRelay.body, { relay: false, hosts: [] });

  const relay = await startTestServer({ relay: true });
  const { host, hostId, close } = await startWelcomedHost(relay, { name: 'desk' });
  let closed = false;
  t.after(async () => {
    if (!closed) await close();
    await relay.stop();
  });
  const viewer = await registerDevice(relay, 'wall', 'viewer');
  const list = async (token: string) =>
    (await callApi<HostListResponse>(relay.url, token, 'GET', '/api/hosts')).body;

  const empty = await list(viewer);
  assert.equal(empty.relay, true);
  assert.equal(empty.hosts.length, 1, 'a host with no session is listed');
  const [first] = empty.hosts;
  assert.equal(first!.id, hostId);
  assert.equal(first!.name, 'desk');
  assert.equal(first!.online, true);
  assert.equal(first!.sessions, 0);
  assert.equal(typeof first!.lastSeenAt, 'number');

  const created = await callApi(relay.url, relay.ownerToken, 'POST', '/api/sessions', {
    kind: 'terminal',
    config: { ...QUIET_TERMINAL, host: 'desk' },
  });
  assert.equal(created.status, 201);
  assert.equal((await list(relay.ownerToken)).hosts[0]!.sessions, 1);
  assert.equal((await list(viewer)).hosts[0]!.sessions, 1, 'a viewer sees what its list shows');

  const before = Date.now();
  await host.close();
  closed = true;
  const offline = await waitUntil(async () => {
    const h = (await list(relay.ownerToken)).hosts[0]!;
    return !h.online && h;
  }, 'the host shows offline');
  assert.ok(offline.lastSeenAt !== null && offline.lastSeenAt >= before, 'when its link closed');
  assert.equal(offline.sessions, 1);

  const anonymous = await callApi(relay.url, '', 'GET', '/api/hosts');
  assert.equal(anonymous.status, 401);
});
