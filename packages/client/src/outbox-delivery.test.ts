import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { isKnownLogEvent, type LogEvent } from '@baton/protocol';
import { refusedCommits, refusedPgCommits, tempPgSchema, waitUntil } from '@baton/server/testing';
import type { BatonClient } from './baton-client.js';
import type { SubmittedInput } from './outbox.js';
import type { SessionStore } from './session-store.js';
import {
  connectedClient,
  faultyWebSocket,
  startTestServer,
  tempDataDir,
  waitFor,
} from './testing/test-server.js';

/** Integration: inputs travel through the outbox to a real server and are stored exactly once. */

function inputsWithId(events: readonly LogEvent[], inputId: string): LogEvent[] {
  return events.filter((e) => e.type === 'input' && e.data.inputId === inputId);
}

function replies(store: SessionStore): string[] {
  return store.getSnapshot().events.flatMap((e) => (e.type === 'agent.text' ? [e.data.text] : []));
}

/** Every input of `sent` acknowledged and stored once, in the order it was made. */
async function assertStoredInOrder(
  client: BatonClient,
  sessionId: string,
  sent: readonly SubmittedInput[],
): Promise<void> {
  const acks = await Promise.all(sent.map((s) => s.confirmed));
  assert.ok(
    acks.every((ack, i) => i === 0 || ack.seq > acks[i - 1]!.seq),
    `acknowledged in the order made: ${acks.map((a) => a.seq).join(' ')}`,
  );
  const fetched = await client.fetchEvents(sessionId, 0, 5000);
  const stored = fetched.events
    .filter(isKnownLogEvent)
    .flatMap((e) => (e.type === 'input' ? [e.data.inputId] : []));
  assert.deepEqual(
    stored,
    sent.map((s) => s.inputId),
    'stored once each, in the order made',
  );
}

/**
 * Counts the inputs of `store` that were sent and then put back to pending (refused with a
 * retryable code), calling `onFirst` the moment the client hears of the first.
 */
function watchRefusals(
  t: TestContext,
  store: SessionStore,
  onFirst: () => void = () => {},
): { readonly count: number; readonly ids: ReadonlySet<string> } {
  const sentOnce = new Set<string>();
  const ids = new Set<string>();
  let count = 0;
  const stop = store.subscribe(() => {
    for (const p of store.getSnapshot().pending) {
      if (p.status === 'sent') sentOnce.add(p.inputId);
      else if (p.status === 'pending' && sentOnce.delete(p.inputId)) {
        ids.add(p.inputId);
        if (count++ === 0) onFirst();
      }
    }
  });
  t.after(stop);
  return {
    get count() {
      return count;
    },
    ids,
  };
}

test('inputs submitted while the server is unreachable are sent once it is back', async (t) => {
  const dataDir = tempDataDir(t);
  const first = await startTestServer(dataDir);
  const port = first.port;
  const client = await connectedClient(t, first);
  const session = await client.createSession({ kind: 'claude' });
  const store = client.subscribe(session.id);
  await waitFor('the subscription to be live', () => store.status === 'live');

  await first.close();
  await waitFor('the client to notice', () => client.state.status === 'reconnecting');
  const x = client.send(session.id, { kind: 'message', text: 'while away 1' });
  const y = client.send(session.id, { kind: 'message', text: 'while away 2' });
  assert.deepEqual(
    store.getSnapshot().pending.map((p) => [p.inputId, p.status]),
    [
      [x.inputId, 'pending'],
      [y.inputId, 'pending'],
    ],
    'shown at once, on top of the log',
  );
  // Still pending after reconnect attempts against a server that is gone.
  await waitFor(
    'a second failed reconnect attempt',
    () => client.state.status === 'reconnecting' && client.state.attempt >= 2,
  );
  assert.equal(store.getSnapshot().pending.length, 2);

  const second = await startTestServer(dataDir, port);
  t.after(() => second.close());
  const [ackX, ackY] = await Promise.all([x.confirmed, y.confirmed]);
  assert.equal(ackX.duplicate, false);
  assert.ok(ackX.seq < ackY.seq, 'sent in the order they were made');
  await waitFor('both answers', () => replies(store).length === 2);
  assert.deepEqual(replies(store), ['echo: while away 1', 'echo: while away 2']);
  const events = store.getSnapshot().events;
  assert.equal(inputsWithId(events, x.inputId).length, 1);
  assert.equal(inputsWithId(events, y.inputId).length, 1);
  assert.equal(store.getSnapshot().pending.length, 0);
  assert.equal(client.outbox.getSnapshot().length, 0);
});

test('an input retried after a lost ack is stored once and acked as a duplicate', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const faulty = faultyWebSocket();
  const a = await connectedClient(t, server, { WebSocket: faulty.WebSocket });
  const b = await connectedClient(t, server);
  const session = await a.createSession({ kind: 'claude' });
  const storeA = a.subscribe(session.id);
  const storeB = b.subscribe(session.id);
  await waitFor('both live', () => storeA.status === 'live' && storeB.status === 'live');

  faulty.drop.predicate = (frame) => frame['type'] === 'ack';
  const x = a.send(session.id, { kind: 'message', text: 'once' });
  await waitFor(
    'the server to commit the input',
    () => inputsWithId(storeB.getSnapshot().events, x.inputId).length === 1,
  );
  assert.equal(a.outbox.getSnapshot()[0]?.status, 'sent', 'no ack reached A');

  faulty.drop.predicate = () => false;
  faulty.sockets.at(-1)?.terminate();
  const ack = await x.confirmed;
  assert.equal(ack.duplicate, true, 'the resend was recognised');
  const committed = inputsWithId(storeB.getSnapshot().events, x.inputId);
  assert.equal(ack.seq, committed[0]?.seq, 'the retry got the original sequence number');

  await waitFor('the answer', () => replies(storeB).length === 1);
  await waitFor('A to catch up', () => storeA.lastSeq === storeB.lastSeq);
  const fetched = await b.fetchEvents(session.id, 0, 5000);
  assert.equal(inputsWithId(fetched.events.filter(isKnownLogEvent), x.inputId).length, 1);
  assert.deepEqual(storeA.getSnapshot().events, storeB.getSnapshot().events);
  assert.equal(storeA.getSnapshot().pending.length, 0);
});

/** A client subscribed to a new agent session on `server`, the subscription live. */
async function liveSession(t: TestContext, server: Parameters<typeof connectedClient>[1]) {
  const client = await connectedClient(t, server);
  const session = await client.createSession({ kind: 'claude' });
  const store = client.subscribe(session.id);
  await waitFor('the subscription to be live', () => store.status === 'live');
  return { client, session, store };
}

/** `liveSession` on a server on SQLite whose store refuses what the test says (refusedCommits). */
async function sqliteWithFaults(t: TestContext, options?: Parameters<typeof startTestServer>[2]) {
  const dataDir = tempDataDir(t);
  const server = await startTestServer(dataDir, 0, options);
  t.after(() => server.close());
  const faults = refusedCommits(dataDir);
  t.after(() => faults.close());
  return { ...(await liveSession(t, server)), faults };
}

test('inputs sent while the store refused earlier ones are stored after them, in the order they were made', async (t) => {
  // Paced, so that one burst of inputs reaches the store over several commits: the first are
  // refused, and the later ones arrive once it writes again but before the refused ones are
  // sent again. A server that stored those would put them ahead of the refused ones.
  const { client, session, store, faults } = await sqliteWithFaults(t, {
    rateLimit: { perSecond: 40, burst: 8 },
  });

  // The store writes again the moment the client hears of the first refusal.
  const refusals = watchRefusals(t, store, () => faults.refuse(false));
  faults.refuse(true);
  const sent = Array.from({ length: 30 }, (_, i) =>
    client.send(session.id, { kind: 'message', text: `while refused ${i}` }),
  );
  await assertStoredInOrder(client, session.id, sent);
  assert.ok(refusals.count > 0, 'the store refused some of them');
});

test('a message whose attachments could not be looked up is stored before the messages sent after it', async (t) => {
  // The lookup runs before the message is queued; messages sent behind it are queued once it is
  // refused, and the store writes them. They must wait for the refused message to come back.
  const { client, session, store, faults } = await sqliteWithFaults(t);
  const notes = new TextEncoder().encode('# notes\n');
  const { attachment } = await client.uploadAttachment(session.id, notes);

  const refusals = watchRefusals(t, store, () => faults.refuseAttachmentLookups(false));
  faults.refuseAttachmentLookups(true);
  const first = client.send(session.id, {
    kind: 'message',
    text: 'with notes',
    attachments: [{ id: attachment.id, name: 'notes.md' }],
  });
  const later = Array.from({ length: 5 }, (_, i) =>
    client.send(session.id, { kind: 'message', text: `later ${i}` }),
  );
  await assertStoredInOrder(client, session.id, [first, ...later]);
  assert.ok(refusals.ids.has(first.inputId), 'the lookup failed');
});

/**
 * A client with a live subscription to a new session on a server on PostgreSQL, and
 * `sendBehindFailingCommit`: one input whose commit waits (refusedPgCommits) while nine more
 * queue behind it, and then fails as a full disk does. Resolves with the ten, in the order made.
 */
async function pgWithFailingCommit(t: TestContext) {
  const pgSchema = await tempPgSchema('baton_outbox');
  const server = await startTestServer(tempDataDir(t), 0, { store: pgSchema.url });
  const faults = await refusedPgCommits(pgSchema.url, pgSchema.schema);
  // One hook, since hooks run in the order registered: the schema goes after the server.
  t.after(async () => {
    await faults.close();
    await server.close();
    await pgSchema.drop();
  });
  const { client, session, store } = await liveSession(t, server);
  const send = (text: string) => client.send(session.id, { kind: 'message', text });
  const sendBehindFailingCommit = async (): Promise<SubmittedInput[]> => {
    await faults.refuseNext();
    const first = send('first');
    await waitUntil(() => faults.waiting(), 'its commit to be on its way');
    const later = Array.from({ length: 9 }, (_, i) => send(`later ${i}`));
    await waitUntil(() => server.hub.writer.queued >= 9, 'the later inputs to queue behind it');
    await faults.release();
    return [first, ...later];
  };
  return { client, session, store, send, sendBehindFailingCommit };
}

test('on PostgreSQL, inputs queued behind a commit that then fails are stored after the refused ones', async (t) => {
  // The window a store that yields has: while a commit is on its way, later inputs wait for the
  // next commit. When the first fails and the next one works, they must not land first.
  const { client, session, store, sendBehindFailingCommit } = await pgWithFailingCommit(t);
  const refusals = watchRefusals(t, store);
  const sent = await sendBehindFailingCommit();
  await assertStoredInOrder(client, session.id, sent);
  assert.ok(refusals.count > 0, 'the first input was refused');
});

test('an input made after a refusal waits for the inputs still on the wire, so it is not held behind them', async (t) => {
  // The inputs queued behind a failed commit are held by the server. An input the user makes
  // when the first refusal comes back would be held too if it went out before their refusals came
  // back; typing on through a hold, each new input would cost a round trip.
  const { client, session, store, send, sendBehindFailingCommit } = await pgWithFailingCommit(t);
  let next: SubmittedInput | undefined;
  const refusals = watchRefusals(t, store, () => (next = send('made after the refusal')));
  const sent = await sendBehindFailingCommit();
  await waitFor('the first refusal', () => next !== undefined);
  await assertStoredInOrder(client, session.id, [...sent, next!]);
  assert.equal(refusals.count, 10, 'the first input and the nine behind it were refused');
  assert.ok(!refusals.ids.has(next!.inputId), 'the input made after the refusal was not held');
});

test('inputs sent faster than the connection may send are stored in the order they were made', async (t) => {
  // A limit low enough that a burst of pipelined inputs goes over it: the outbox sends every
  // pending input without waiting for acks, so a server that refused the frames over the rate
  // (and took the ones after them once the bucket had refilled) would store the refused ones
  // later, out of order, when they were resent.
  const server = await startTestServer(tempDataDir(t), 0, {
    rateLimit: { perSecond: 40, burst: 8 },
  });
  t.after(() => server.close());
  const client = await connectedClient(t, server);
  const session = await client.createSession({ kind: 'claude' });
  const store = client.subscribe(session.id);
  await waitFor('the subscription to be live', () => store.status === 'live');

  const sent = Array.from({ length: 30 }, (_, i) =>
    client.send(session.id, { kind: 'message', text: `burst ${i}` }),
  );
  await assertStoredInOrder(client, session.id, sent);
});
