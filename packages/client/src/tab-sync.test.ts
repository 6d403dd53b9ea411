import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownLogEvent, type SessionId } from '@baton/protocol';
import { BatonClient } from './baton-client.js';
import type { BatonError } from './baton-error.js';
import { MemoryOutboxStorage } from './outbox-storage.js';
import { MemoryDocumentWriteStorage } from './pending-document-writes.js';
import { connectedClient, startTestServer, tempDataDir, waitFor } from './testing/test-server.js';
import type { BroadcastChannelLike } from './tab-sync.js';
import type { WebSocketConstructor } from './web-socket-like.js';
import { WebSocket } from 'ws';
import type { TestContext } from 'node:test';

/** A real WebSocket that counts the `input` frames it sends. */
function countingWebSocket(counter: { inputs: number }): WebSocketConstructor {
  return class extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data === 'string' && data.startsWith('{"type":"input"')) counter.inputs++;
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  } as unknown as WebSocketConstructor;
}

/** A client of `server` that has not connected yet, sharing `channel` with its device's others. */
function idleClient(
  t: TestContext,
  server: { wsUrl: string; ownerToken: string },
  channel: string,
  storage: { outbox?: MemoryOutboxStorage; documents?: MemoryDocumentWriteStorage } = {},
  sent?: { inputs: number },
): BatonClient {
  const tabs = new BroadcastChannel(channel);
  const client = new BatonClient({
    url: server.wsUrl,
    token: server.ownerToken,
    mode: 'tab',
    WebSocket: sent ? countingWebSocket(sent) : (WebSocket as unknown as WebSocketConstructor),
    backoff: { baseMs: 50, capMs: 500 },
    tabs: tabs as unknown as BroadcastChannelLike,
    ...(storage.outbox ? { storage: storage.outbox } : {}),
    ...(storage.documents ? { documentStorage: storage.documents } : {}),
  });
  t.after(async () => {
    await client.close();
    tabs.close();
  });
  return client;
}

async function typedInLog(client: BatonClient, sessionId: SessionId): Promise<string[]> {
  const { events } = await client.fetchEvents(sessionId, 0, 1000);
  return events
    .filter(isKnownLogEvent)
    .flatMap((e) => (e.type === 'input' && 'text' in e.data.payload ? [e.data.payload.text] : []));
}

// Integration, real server, Node's BroadcastChannel between clients of one process (the same
// API as the browser's between windows).
test('an input one window queues offline shows in the other at once and is stored once', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const cli = await connectedClient(t, server);
  const session = await cli.createSession({ kind: 'claude', name: 'tabs' });
  const outbox = new MemoryOutboxStorage();
  const offline = idleClient(t, server, 'tabs-outbox', { outbox });
  const online = idleClient(t, server, 'tabs-outbox', { outbox });
  online.connect();
  await online.whenConnected(10_000);

  // The offline window never connected: only the channel can tell the other one.
  const { inputId } = offline.send(session.id, {
    kind: 'message',
    text: 'from the offline window',
  });
  // Only the other window is connected: the server can have it only from that window. (Once
  // acknowledged it leaves that window's outbox, as no view of the session is open there.)
  const deadline = Date.now() + 10_000;
  while ((await typedInLog(cli, session.id)).length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await typedInLog(cli, session.id), ['from the offline window']);
  // The first window comes online: it heard the acknowledgement, and the server has it once.
  offline.connect();
  await waitFor('the first window to have its ack', () =>
    offline.outbox.getSnapshot().every((e) => e.inputId !== inputId || e.status === 'confirmed'),
  );
  assert.deepEqual(await typedInLog(cli, session.id), ['from the offline window']);
});

test('an input is sent by the window that made it; the others hear its ack and send nothing', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const cli = await connectedClient(t, server);
  const session = await cli.createSession({ kind: 'claude', name: 'once' });
  const outbox = new MemoryOutboxStorage();
  const [fromA, fromB] = [{ inputs: 0 }, { inputs: 0 }];
  const a = idleClient(t, server, 'tabs-once', { outbox }, fromA);
  const b = idleClient(t, server, 'tabs-once', { outbox }, fromB);
  a.connect();
  b.connect();
  await Promise.all([a.whenConnected(10_000), b.whenConnected(10_000)]);
  // What B's outbox ever held: A's inputs may come and go (acknowledged) between two polls.
  const heldByB = new Set<string>();
  b.outbox.subscribe(() => {
    for (const e of b.outbox.getSnapshot()) heldByB.add(e.inputId);
  });
  const texts = ['one', 'two', 'three'];
  const ids = texts.map((text) => a.send(session.id, { kind: 'message', text }).inputId);
  await waitFor('B to learn of them', () => ids.every((id) => heldByB.has(id)));
  // B makes an input of its own once it knows of theirs: it goes after them.
  const own = b.send(session.id, { kind: 'message', text: 'from B' });
  await own.confirmed;
  await waitFor('B to hold them as confirmed or no more', () =>
    ids.every((id) =>
      b.outbox.getSnapshot().every((e) => e.inputId !== id || e.status === 'confirmed'),
    ),
  );
  assert.deepEqual(await typedInLog(cli, session.id), [...texts, 'from B']);
  assert.equal(fromA.inputs, 3, 'A sent each of its inputs once');
  assert.equal(fromB.inputs, 1, 'B sent only its own');
});

test('an input discarded in one window is never sent by the other', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const cli = await connectedClient(t, server);
  const session = await cli.createSession({ kind: 'claude', name: 'discard' });
  const a = idleClient(t, server, 'tabs-discard');
  // Both windows are offline while A queues and then discards the input.
  const b = idleClient(t, server, 'tabs-discard');
  const { inputId, confirmed } = a.send(session.id, { kind: 'message', text: 'thrown away' });
  confirmed.catch(() => {});
  await waitFor('B to hold it', () => b.outbox.getSnapshot().some((e) => e.inputId === inputId));
  a.outbox.discard(inputId);
  await waitFor('B to drop it', () => b.outbox.getSnapshot().every((e) => e.inputId !== inputId));
  b.connect();
  await b.whenConnected(10_000);
  a.connect();
  await a.whenConnected(10_000);
  // Connected and flushed: anything either window still held went out with the connect.
  await b.fetchEvents(session.id, 0, 10);
  assert.deepEqual(await typedInLog(cli, session.id), []);
});

test('a message on the channel that this build cannot read is reported and skipped', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const client = idleClient(t, server, 'tabs-garbage');
  const errors: BatonError[] = [];
  client.on('error', (e) => errors.push(e));
  const other = new BroadcastChannel('tabs-garbage');
  t.after(() => other.close());
  other.postMessage({ v: 1, topic: 'outbox', change: { kind: 'added' } });
  other.postMessage('not an object');
  other.postMessage({ v: 1, topic: 'documents', change: { kind: 'document', sessionId: 'x' } });
  // A record that is not a valid input is refused by the outbox itself.
  other.postMessage({ v: 1, topic: 'outbox', change: { kind: 'added', record: { inputId: 1 } } });
  await waitFor('three messages reported', () => errors.length === 3);
  assert.ok(errors.every((e) => e.code === 'invalid_message'));
  assert.deepEqual(client.outbox.getSnapshot(), []);
});

test('a document write made offline is delivered once on connect, by one window', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const cli = await connectedClient(t, server);
  const session = await cli.createSession({ kind: 'claude', name: 'offline docs' });
  const documents = new MemoryDocumentWriteStorage();
  const a = idleClient(t, server, 'tabs-docs', { documents });
  const b = idleClient(t, server, 'tabs-docs', { documents });

  const written = a.documents.write(
    session.id,
    'notes',
    { text: 'offline' },
    { strategy: 'merge' },
  );
  await waitFor(
    'the other window to show the pending write',
    () => b.documents.pendingWrites().getSnapshot().length === 1,
  );
  assert.equal(documents.load().length, 1, 'kept in storage');
  // Both windows come online; the storage's claim lets exactly one deliver it.
  a.connect();
  b.connect();
  const reply = await written;
  assert.equal(reply.status, 'committed');
  await waitFor('both windows to drop the pending write', () =>
    [a, b].every((c) => c.documents.pendingWrites().getSnapshot().length === 0),
  );
  const doc = await cli.documents.read(session.id, 'notes');
  assert.equal(doc?.version, 1, 'written once');
  assert.equal(doc?.fields['text'], 'offline');
  assert.equal(documents.load().length, 0);
});

test('an offline user_choice write that conflicts, with nobody waiting, keeps both values', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const phone = await connectedClient(t, server);
  const session = await phone.createSession({ kind: 'claude', name: 'choice' });
  const documents = new MemoryDocumentWriteStorage();
  const laptop = idleClient(t, server, 'tabs-choice-1', { documents });
  laptop.connect();
  await laptop.whenConnected(10_000);
  await laptop.documents.write(session.id, 'plan', { step: 'draft' }, { strategy: 'user_choice' });
  await laptop.close();
  // Offline: kept, against version 1.
  const lost = laptop.documents.write(session.id, 'plan', { step: 'from the laptop' });
  lost.catch(() => {});
  await waitFor('the write to be kept', () => documents.load().length === 1);
  await phone.documents.write(session.id, 'plan', { step: 'from the phone' });

  // The laptop's page reloads: a new client with the same storage, and nobody waits for the reply.
  const reloaded = idleClient(t, server, 'tabs-choice-2', { documents });
  reloaded.connect();
  await waitFor('the delivery to come back with both values', () =>
    reloaded.documents
      .pendingWrites()
      .getSnapshot()
      .some((w) => w.conflicts !== undefined),
  );
  const [kept] = reloaded.documents.pendingWrites().getSnapshot();
  assert.equal(kept?.conflicts?.[0]?.yours, 'from the laptop');
  assert.equal(kept?.conflicts?.[0]?.theirs, 'from the phone');
  assert.equal(documents.load()[0]?.conflicts?.length, 1, 'kept in storage with both values');
  const doc = await phone.documents.read(session.id, 'plan');
  assert.equal(doc?.fields['step'], 'from the phone', 'nothing of the write committed');
  assert.equal(doc?.version, 2);
  // The user picks, then the kept write goes.
  await reloaded.documents.write(session.id, 'plan', { step: kept?.conflicts?.[0]?.yours ?? null });
  await reloaded.documents.dismissPending(kept!.id);
  assert.deepEqual(reloaded.documents.pendingWrites().getSnapshot(), []);
  assert.equal(documents.load().length, 0);
  assert.equal((await phone.documents.read(session.id, 'plan'))?.fields['step'], 'from the laptop');
});

test('the window that made an offline write hears the reply when another window delivers it', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const cli = await connectedClient(t, server);
  const session = await cli.createSession({ kind: 'claude', name: 'relay' });
  const documents = new MemoryDocumentWriteStorage();
  const offline = idleClient(t, server, 'tabs-relay', { documents });
  const online = idleClient(t, server, 'tabs-relay', { documents });
  online.connect();
  await online.whenConnected(10_000);
  // The link of the first window is down (it never connects): the other one delivers.
  const reply = await offline.documents.write(session.id, 'ui', { panel: 'open' });
  assert.equal(reply.status, 'committed');
  assert.equal(reply.document.fields['panel'], 'open');
  assert.equal(offline.documents.pendingWrites().getSnapshot().length, 0);
  assert.equal((await cli.documents.read(session.id, 'ui'))?.version, 1);
});
