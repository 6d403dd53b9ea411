import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHost, startServer } from '@baton/server';
import { waitUntil } from '@baton/server/testing';
import { BatonError } from './baton-error.js';
import { listHosts } from './host-api.js';
import { createPairing } from './pairing-api.js';
import { startTestServer, tempDataDir } from './testing/test-server.js';

test('listHosts: a relay host with no session, online, then offline with when it was seen', async (t) => {
  const dir = tempDataDir(t);
  const relay = await startServer({
    dataDir: join(dir, 'relay'),
    port: 0,
    logLevel: 'error',
    relay: true,
  });
  t.after(() => relay.close());
  const { code } = await createPairing(relay.url, relay.ownerToken, { role: 'owner' });
  let online = false;
  const host = await startHost({
    relay: relay.url,
    dataDir: join(dir, 'host'),
    code,
    name: 'garage',
    logLevel: 'silent',
    onOnline: () => (online = true),
  });
  let closed = false;
  t.after(async () => {
    if (!closed) await host.close();
  });
  await waitUntil(() => online, 'the relay welcomes the host');

  const listed = await listHosts(relay.url, relay.ownerToken);
  assert.equal(listed.relay, true);
  assert.deepEqual(
    listed.hosts.map((h) => [h.name, h.online, h.sessions]),
    [['garage', true, 0]],
  );

  await host.close();
  closed = true;
  const offline = await waitUntil(async () => {
    const [h] = (await listHosts(relay.url, relay.ownerToken)).hosts;
    return h && !h.online && h;
  }, 'the host shows offline');
  assert.equal(typeof offline.lastSeenAt, 'number');

  await assert.rejects(
    listHosts(relay.url, 'bd_wrong'),
    (e: unknown) => e instanceof BatonError && e.code === 'unauthorized',
  );
  const plain = await startTestServer(join(dir, 'plain'));
  t.after(() => plain.close());
  assert.deepEqual(await listHosts(plain.url, plain.ownerToken), { relay: false, hosts: [] });
});
