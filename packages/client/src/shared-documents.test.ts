import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VolatileMessage } from '@baton/protocol';
import { MemoryDocumentWriteStorage } from './pending-document-writes.js';
import {
  connectedClient,
  faultyWebSocket,
  startTestServer,
  tempDataDir,
  waitFor,
} from './testing/test-server.js';

// Integration, real server: the SDK's copy of a document follows other devices' changes, and its
// writes retry as the strategy allows.
test('two clients edit one document; each copy follows the other, and a handed-back field is chosen', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const phone = await connectedClient(t, server);
  const laptop = await connectedClient(t, server);
  const session = await phone.createSession({ kind: 'claude', name: 'docs' });
  phone.subscribe(session.id);
  laptop.subscribe(session.id);

  await phone.documents.write(session.id, 'ui', { title: 'one' }, { strategy: 'merge' });
  await waitFor(
    'the laptop to hold version 1',
    () => laptop.documents.documents(session.id).getSnapshot().get('ui')?.version === 1,
  );

  // Both change the title from version 1; the laptop's copy is stale for whichever goes second.
  const chosen: string[] = [];
  const [a, b] = await Promise.all([
    phone.documents.write(session.id, 'ui', { title: 'phone' }),
    laptop.documents.write(
      session.id,
      'ui',
      { title: 'laptop' },
      {
        choose: (conflicts) => {
          const [c] = conflicts;
          chosen.push(`${String(c?.yours)} vs ${String(c?.theirs)}`);
          return { title: `${String(c?.theirs)} + ${String(c?.yours)}` };
        },
      },
    ),
  ]);
  assert.equal(a.status, 'committed');
  assert.equal(b.status, 'committed');
  const copy = (client: typeof phone) =>
    client.documents.documents(session.id).getSnapshot().get('ui');
  const settled = chosen.length > 0 ? 4 : 3;
  await waitFor(`both copies at version ${settled}`, () =>
    [copy(phone)?.version, copy(laptop)?.version].every((v) => v === settled),
  );
  const final = copy(phone)!;
  if (chosen.length > 0) {
    // The laptop went second: it was shown both values and its merged choice was written.
    assert.deepEqual(chosen, ['laptop vs phone']);
    assert.equal(final.fields['title'], 'phone + laptop');
  } else {
    // The laptop went first; the phone's write (no chooser) came back with the field returned.
    assert.equal(a.conflicts[0]?.result, 'returned');
    assert.equal(final.fields['title'], 'laptop');
  }
  assert.deepEqual(
    laptop.documents.documents(session.id).getSnapshot().get('ui'),
    await phone.documents.read(session.id, 'ui'),
    'the copy built from events equals the stored document',
  );

  const seen: VolatileMessage[] = [];
  laptop.documents.onVolatile((m) => seen.push(m));
  assert.ok(phone.documents.sendVolatile(session.id, 'typing', true));
  await waitFor('the volatile frame', () => seen.length === 1);
  assert.equal(seen[0]?.key, 'typing');
});

// A network fault, not a fake server: the reply to an offline write's delivery is lost with the
// link, so the SDK delivers the write again on the next link. The write's id goes with it, and
// the server answers the second delivery without applying it again.
test('an offline write whose reply was lost is delivered again and applied once', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const net = faultyWebSocket();
  const phone = await connectedClient(t, server, {
    WebSocket: net.WebSocket,
    documentStorage: new MemoryDocumentWriteStorage(),
  });
  const watcher = await connectedClient(t, server);
  const session = await phone.createSession({ kind: 'claude', name: 'docs' });
  const seen = watcher.subscribe(session.id);

  net.network.down = true;
  net.sockets.at(-1)!.terminate();
  await waitFor(
    'the phone to see the link down',
    () => phone.connection.getSnapshot().status !== 'connected',
  );
  const result = phone.documents.write(session.id, 'pad', { line: 'typed offline' });

  let lost = 0;
  net.drop.predicate = (frame) => {
    const reply = frame['result'] as { document?: { name?: string } } | undefined;
    if (frame['type'] !== 'reply' || reply?.document?.name !== 'pad' || lost > 0) return false;
    lost++;
    // The reply never arrives, and the link it would have come on goes down.
    setImmediate(() => net.sockets.at(-1)!.terminate());
    return true;
  };
  net.network.down = false;
  const reply = await result;
  assert.equal(lost, 1, 'the first delivery lost its reply');
  assert.equal(reply.status, 'committed');
  assert.equal(reply.document.version, 1, 'delivered twice, applied once');
  await waitFor('the watcher to see the change', () =>
    seen.getSnapshot().events.some((e) => e.type === 'doc.changed'),
  );
  const changes = seen.getSnapshot().events.filter((e) => e.type === 'doc.changed');
  assert.equal(changes.length, 1, 'one doc.changed in the log');
});
