import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownLogEvent, type LogEvent } from '@baton/protocol';
import type { BatonClient } from './baton-client.js';
import type { SessionStore } from './session-store.js';
import {
  connectedClient,
  faultyWebSocket,
  startTestServer,
  tempDataDir,
  waitFor,
} from './testing/test-server.js';

/** Integration: real server, real WebSockets, real SQLite. */

function turnsEnded(store: SessionStore): number {
  return store.getSnapshot().events.filter((e) => e.type === 'agent.turn.ended').length;
}

async function fetchAll(client: BatonClient, sessionId: string): Promise<LogEvent[]> {
  const all: LogEvent[] = [];
  for (;;) {
    const page = await client.fetchEvents(sessionId, all.at(-1)?.seq ?? 0, 5000);
    all.push(...page.events.filter(isKnownLogEvent));
    if (page.events.length === 0 || all.at(-1)?.seq === page.headSeq) return all;
  }
}

function assertContiguous(events: readonly LogEvent[]): void {
  events.forEach((event, i) => assert.equal(event.seq, i + 1, `seq ${i + 1} is in place`));
}

test('a client cut mid-stream resumes exactly where it stopped', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const faulty = faultyWebSocket();
  // This test compares whole logs, so both clients hold every event of it.
  const retention = { agent: { events: 10_000, chars: 64 * 1024 * 1024 } };
  const a = await connectedClient(t, server, { WebSocket: faulty.WebSocket, retention });
  const b = await connectedClient(t, server, { retention });
  const session = await a.createSession({ kind: 'claude', name: 'stream' });
  const storeA = a.subscribe(session.id);
  const storeB = b.subscribe(session.id);
  await waitFor(
    'both subscriptions live',
    () => storeA.status === 'live' && storeB.status === 'live',
  );

  const states: string[] = [];
  a.on('state', (s) => states.push(s.status));
  let cutAt = 0;
  a.onEvent(({ event }) => {
    // Cut the link in the middle of the burst, from inside the delivery of one event.
    if (cutAt === 0 && event.type === 'agent.text' && event.data.text === 'line 300') {
      cutAt = event.seq;
      faulty.sockets.at(-1)?.terminate();
    }
  });
  a.send(session.id, { kind: 'message', text: 'burst:3000' });

  await waitFor(
    'the burst to finish on both clients',
    () => turnsEnded(storeA) === 1 && turnsEnded(storeB) === 1,
    60_000,
  );
  assert.ok(cutAt > 0, 'the link was cut mid-stream');
  assert.ok(states.includes('reconnecting'), 'client A reconnected');
  assert.equal(faulty.sockets.length, 2);

  const viewA = storeA.getSnapshot().events;
  const viewB = storeB.getSnapshot().events;
  const stored = await fetchAll(b, session.id);
  assertContiguous(viewA);
  assert.deepEqual(viewA, stored, 'A holds exactly the stored log, no gap and no duplicate');
  assert.deepEqual(viewB, stored);
  assert.equal(viewA.filter((e) => e.type === 'agent.text').length, 3000);
});

test('two clients writing at once see identical logs', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const a = await connectedClient(t, server);
  const b = await connectedClient(t, server);
  const session = await a.createSession({ kind: 'claude' });
  const storeA = a.subscribe(session.id);
  const storeB = b.subscribe(session.id);
  await waitFor(
    'both subscriptions live',
    () => storeA.status === 'live' && storeB.status === 'live',
  );
  await waitFor(
    'each client sees the other in presence',
    () => storeA.getSnapshot().presence.length === 2 && storeB.getSnapshot().presence.length === 2,
  );

  const sent: string[] = [];
  for (let i = 0; i < 5; i++) {
    sent.push(a.send(session.id, { kind: 'message', text: `from a ${i}` }).inputId);
    sent.push(b.send(session.id, { kind: 'message', text: `from b ${i}` }).inputId);
  }
  await waitFor(
    'ten answered turns on both',
    () => turnsEnded(storeA) === 10 && turnsEnded(storeB) === 10,
  );

  const viewA = storeA.getSnapshot().events;
  assert.deepEqual(viewA, storeB.getSnapshot().events);
  assert.deepEqual(viewA, await fetchAll(a, session.id));
  assertContiguous(viewA);
  const inputIds = viewA.flatMap((e) => (e.type === 'input' ? [e.data.inputId] : []));
  assert.deepEqual([...inputIds].sort(), [...sent].sort(), 'every input exactly once');
  const fromA = viewA.flatMap((e) =>
    e.type === 'input' && 'text' in e.data.payload && e.data.payload.text.startsWith('from a')
      ? [e.data.payload.text]
      : [],
  );
  assert.deepEqual(
    fromA,
    [0, 1, 2, 3, 4].map((i) => `from a ${i}`),
    "one client's inputs stay in order",
  );
  assert.equal(storeA.getSnapshot().pending.length, 0);
  assert.equal(storeB.getSnapshot().pending.length, 0);
});
