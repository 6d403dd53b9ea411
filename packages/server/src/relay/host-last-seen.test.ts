import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../logger.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import { startWelcomedHost } from '../testing/relay-host.js';
import { startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';
import { HostDirectory } from './host-directory.js';
import type { HostLink } from './host-link.js';

/** What the relay has recorded of its hosts, read from its SQLite file as a second reader. */
async function recorded(file: string): Promise<Record<string, { lastSeenAt?: number }>> {
  const reader = new SqliteStore(file);
  try {
    return JSON.parse((await reader.getMeta('relay.hosts')) ?? '{}') as Record<
      string,
      { lastSeenAt?: number }
    >;
  } finally {
    await reader.close();
  }
}

test('a host online at a relay is recorded as seen before its link ever closes (a kill -9 keeps it)', async (t) => {
  const data = tempDataDir('baton-relay-');
  const relay = await startTestServer({ relay: true, dataDir: data.dir });
  const before = Date.now();
  const { hostId, close } = await startWelcomedHost(relay, { name: 'attic' });
  t.after(async () => {
    await close();
    await relay.stop();
    data.remove();
  });
  // The link is still open: no disconnect handler has run, as after a kill -9 of the relay.
  const seen = await waitUntil(async () => {
    const entry = (await recorded(join(data.dir, 'baton.db')))[hostId];
    return entry?.lastSeenAt;
  }, 'the relay records the host as seen while it is online');
  assert.ok(seen >= before && seen <= Date.now(), `recorded ${seen}, connected after ${before}`);
});

test('the relay stamps its online hosts as seen again while they stay online', async (t) => {
  const data = tempDataDir('baton-relay-');
  const file = join(data.dir, 'baton.db');
  const store = new SqliteStore(file);
  const directory = await HostDirectory.open(store, createLogger('silent'), 20);
  t.after(async () => {
    directory.closeAll();
    await store.close();
    data.remove();
  });
  // Only what the directory reads of a link: its host, its name, and how to close it.
  const link = { hostId: 'd_host', name: 'desk', close: () => undefined } as unknown as HostLink;
  await directory.connected(link);
  const first = (await recorded(file)).d_host?.lastSeenAt;
  assert.equal(typeof first, 'number');
  await waitUntil(
    async () => ((await recorded(file)).d_host?.lastSeenAt ?? 0) > first!,
    'a later stamp while the host stays online',
  );
});
