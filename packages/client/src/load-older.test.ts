import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedClient, startTestServer, tempDataDir, waitFor } from './testing/test-server.js';

/** Integration: real server, real WebSockets, real SQLite. */

test('an agent view holds a window of recent events and loads older ones on request', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const client = await connectedClient(t, server, {
    retention: { agent: { events: 50, chars: 1_000_000 } },
  });
  const session = await client.createSession({ kind: 'claude', name: 'window' });
  const store = client.subscribe(session.id);
  await waitFor('live', () => store.status === 'live');
  client.send(session.id, { kind: 'message', text: 'burst:300' });
  await waitFor('the burst to end', () =>
    store.getSnapshot().events.some((e) => e.type === 'agent.turn.ended'),
  );

  const head = store.lastSeq;
  const snapshot = store.getSnapshot();
  assert.equal(snapshot.events.length, 50, 'only the window is held');
  assert.equal(snapshot.truncated, true);
  assert.equal(snapshot.firstSeq, head - 49);

  const added = await store.loadOlder(100);
  assert.equal(added, 100);
  const more = store.getSnapshot();
  assert.equal(more.firstSeq, head - 149);
  assert.deepEqual(
    more.events.map((e) => e.seq),
    Array.from({ length: 150 }, (_, i) => head - 149 + i),
    'older events sit contiguously in front of the window',
  );

  while ((await store.loadOlder(1000)) > 0);
  const all = store.getSnapshot();
  assert.equal(all.truncated, false);
  assert.equal(all.firstSeq, 1);
  assert.equal(all.events.length, head);
  assert.equal(await store.loadOlder(), 0, 'nothing older is left');
});
