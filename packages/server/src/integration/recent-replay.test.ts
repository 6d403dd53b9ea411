import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import type { Store } from '../storage/store.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';

test('a device back from a brief cut is caught up from the recent frames, not the store, exactly', async () => {
  const server = await startTestServer();
  try {
    const writer = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const { session } = await writer.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    });
    let reader = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    await reader.subscribe(session.id, 0);
    for (let i = 0; i < 20; i++)
      await writer.submit(session.id, `a-${i}`, { kind: 'terminal', data: 'x' });
    const seen = server.hub.get(session.id).committedSeq;
    await reader.waitForSeq(session.id, seen);
    const kept = reader.logs.get(session.id)!;
    reader.terminate();
    for (let i = 0; i < 100; i++)
      await writer.submit(session.id, `b-${i}`, { kind: 'terminal', data: 'y' });

    const store = (server.hub as unknown as { opts: { store: Store } }).opts.store;
    const readEvents = store.readEvents.bind(store);
    let reads = 0;
    store.readEvents = (...args) => {
      reads++;
      return readEvents(...args);
    };
    reader = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    reader.logs.set(session.id, [...kept]);
    reader.lastSeq.set(session.id, seen);
    await reader.subscribe(session.id, seen);
    const head = server.hub.get(session.id).committedSeq;
    await reader.waitForSeq(session.id, head);
    assert.equal(reads, 0, 'the missed events came from memory');
    store.readEvents = readEvents;

    const full = await fetch(`${server.url}/api/sessions/${session.id}/events?after=0&limit=5000`, {
      headers: { authorization: `Bearer ${server.ownerToken}` },
    }).then((r) => r.json() as Promise<{ events: unknown[] }>);
    assert.deepEqual(reader.violations, []);
    assert.deepEqual(reader.logs.get(session.id), full.events, 'resumed log equals the stored log');
    await Promise.all([writer.close(), reader.close()]);
  } finally {
    await server.stop();
  }
});
