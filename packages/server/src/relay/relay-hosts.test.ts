import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { startHost } from '../host/start-host.js';
import { callApi } from '../testing/http-api.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

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
  const pairing = await callApi<{ code: string }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/pairings',
    { role: 'owner' },
  );
  const hostDir = tempDataDir('baton-host-');
  let refused: string | undefined;
  let hostId: string | undefined;
  const host = await startHost({
    relay: relay.url,
    dataDir: hostDir.dir,
    code: pairing.body.code,
    name: 'laptop',
    logLevel: 'silent',
    onOnline: (id) => (hostId = id),
    onRefused: (reason) => (refused = reason),
  });
  t.after(async () => {
    await host.close();
    await relay.stop();
    hostDir.remove();
  });
  await waitUntil(() => hostId, 'the relay welcomes the host');

  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...QUIET_TERMINAL, host: 'laptop' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body.session.host, { id: hostId, name: 'laptop', online: true });

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
});
