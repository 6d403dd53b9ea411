import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  connectedClient,
  faultyWebSocket,
  startTestServer,
  tempDataDir,
  waitFor,
} from './testing/test-server.js';

/**
 * Integration: real server, real WebSockets, real SQLite. The SDK asks for live pages, so a commit
 * of several events reaches it as one `events` frame; it applies each event of the frame as if it
 * had come alone, and its view of the session is the stored log, in order, with nothing doubled.
 */
test('the SDK is sent a live commit as one page and applies each of its events in order', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const spy = faultyWebSocket();
  const live: { type: string; count: number }[] = [];
  // Nothing is dropped: the predicate only records what the server sent once live.
  spy.drop.predicate = (frame) => {
    if (frame.type === 'event') live.push({ type: 'event', count: 1 });
    if (frame.type === 'events')
      live.push({ type: 'events', count: (frame.events as unknown[]).length });
    return false;
  };
  const client = await connectedClient(t, server, { WebSocket: spy.WebSocket });
  const session = await client.createSession({ kind: 'claude', name: 'pages' });
  const store = client.subscribe(session.id);
  await waitFor('the subscription live', () => store.status === 'live');
  // An answer committed after the subscription: the server's catch-up is over once it is here,
  // so the burst below goes out live (a replay page could hold several commits).
  client.send(session.id, { kind: 'message', text: 'first' });
  await waitFor('the first answer', () =>
    store
      .getSnapshot()
      .events.some((e) => e.type === 'agent.text' && e.data.text === 'echo: first'),
  );
  live.length = 0;

  // The echo agent commits a burst in commits of 25 text events.
  client.send(session.id, { kind: 'message', text: 'burst:100' });
  const lines = () =>
    store
      .getSnapshot()
      .events.flatMap((e) => (e.type === 'agent.text' ? [e.data.text] : []))
      .filter((text) => text.startsWith('line '));
  await waitFor('the burst applied', () => lines().length === 100);
  await waitFor(
    'both turns ended',
    () => store.getSnapshot().events.filter((e) => e.type === 'agent.turn.ended').length === 2,
  );

  assert.deepEqual(
    lines(),
    Array.from({ length: 100 }, (_, i) => `line ${i}`),
    'every line once, in order',
  );
  const seqs = store.getSnapshot().events.map((e) => e.seq);
  assert.deepEqual(
    seqs,
    Array.from({ length: seqs.length }, (_, i) => i + 1),
    'the log without a gap',
  );
  assert.equal(
    live.filter((f) => f.type === 'events' && f.count === 25).length,
    4,
    `the four commits of 25 each in one frame (${JSON.stringify(live)})`,
  );
});
