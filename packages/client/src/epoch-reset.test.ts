import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunningServer } from '@baton/server';
import type { SessionBase } from './session-log.js';
import type { SessionStore } from './session-store.js';
import { connectedClient, startTestServer, tempDataDir, waitFor } from './testing/test-server.js';

/** Integration: real servers over one data directory, a real backup put back, real WebSockets. */

const DB_FILES = ['baton.db', 'baton.db-wal'];

function backUp(dir: string, to: string): void {
  for (const file of DB_FILES) {
    rmSync(join(to, file), { force: true });
    if (existsSync(join(dir, file))) copyFileSync(join(dir, file), join(to, file));
  }
}

function restore(from: string, dir: string): void {
  for (const file of [...DB_FILES, 'baton.db-shm']) rmSync(join(dir, file), { force: true });
  for (const file of DB_FILES) {
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(dir, file));
  }
}

function replies(store: SessionStore): string[] {
  return store.getSnapshot().events.flatMap((e) => (e.type === 'agent.text' ? [e.data.text] : []));
}

test('a client ahead of a restored backup is reset and keeps receiving', async (t) => {
  const dir = tempDataDir(t);
  const backup = tempDataDir(t);
  let server: RunningServer = await startTestServer(dir);
  const port = Number(new URL(server.wsUrl).port);
  t.after(() => server.close());
  const client = await connectedClient(t, server);
  const session = await client.createSession({ kind: 'claude', name: 'restored' });
  const store = client.subscribe(session.id);
  const snapshots: SessionBase[] = [];
  client.on('snapshot', ({ base }) => snapshots.push(base));
  await waitFor('live', () => store.status === 'live');
  await client.send(session.id, { kind: 'message', text: 'one' }).confirmed;
  await waitFor('the first reply', () => replies(store).includes('echo: one'));

  // The backup, taken while the server is stopped.
  await server.close();
  backUp(dir, backup);
  server = await startTestServer(dir, port);
  await waitFor('reconnected', () => store.status === 'live');
  await client.send(session.id, { kind: 'message', text: 'two' }).confirmed;
  await waitFor('the second reply', () => replies(store).includes('echo: two'));
  const ahead = store.lastSeq;
  const oldEpoch = store.epoch;
  assert.ok(oldEpoch, 'the store knows its epoch');

  // The backup is put back: the log's head goes backwards, below this client's position.
  await server.close();
  restore(backup, dir);
  server = await startTestServer(dir, port);
  await waitFor('a reset snapshot', () => snapshots.some((b) => b.reason === 'reset'));
  await waitFor('live again', () => store.status === 'live');
  assert.ok(store.lastSeq < ahead, `reset to the restored head (${store.lastSeq} < ${ahead})`);
  assert.notEqual(store.epoch, oldEpoch, 'the restored log has a new epoch');
  assert.equal(store.getSnapshot().base?.reason, 'reset');

  // Not frozen: what happens next arrives, numbered in the new epoch.
  await client.send(session.id, { kind: 'message', text: 'three' }).confirmed;
  await waitFor('the reply after the reset', () => replies(store).includes('echo: three'));
  const head = client.sessions.get(session.id)?.headSeq;
  await waitFor('the head', () => store.lastSeq === client.sessions.get(session.id)?.headSeq);
  assert.ok(head !== undefined);
  assert.ok(!replies(store).includes('echo: two'), 'nothing of the lost history is shown');
});

test('a client whose position exists in a restored log, but in another history, is reset', async (t) => {
  const dir = tempDataDir(t);
  const backup = tempDataDir(t);
  let server: RunningServer = await startTestServer(dir);
  const port = Number(new URL(server.wsUrl).port);
  t.after(() => server.close());
  const laptop = await connectedClient(t, server);
  const session = await laptop.createSession({ kind: 'claude', name: 'forked' });
  const store = laptop.subscribe(session.id);
  const snapshots: SessionBase[] = [];
  laptop.on('snapshot', ({ base }) => snapshots.push(base));
  await waitFor('live', () => store.status === 'live');
  await laptop.send(session.id, { kind: 'message', text: 'one' }).confirmed;
  await waitFor('the first reply', () => replies(store).includes('echo: one'));
  await server.close();
  backUp(dir, backup);
  server = await startTestServer(dir, port);
  await waitFor('reconnected', () => store.status === 'live');
  await laptop.send(session.id, { kind: 'message', text: 'lost' }).confirmed;
  await waitFor('the reply that the restore loses', () => replies(store).includes('echo: lost'));
  const position = store.lastSeq;

  // The laptop sleeps; the backup is put back, and another device writes past its position.
  await laptop.close();
  await server.close();
  restore(backup, dir);
  server = await startTestServer(dir, port);
  const phone = await connectedClient(t, server);
  const phoneStore = phone.subscribe(session.id);
  await waitFor('phone live', () => phoneStore.status === 'live');
  for (const text of ['after restore 1', 'after restore 2']) {
    await phone.send(session.id, { kind: 'message', text }).confirmed;
    await waitFor(text, () => replies(phoneStore).includes(`echo: ${text}`));
  }
  assert.ok(phoneStore.lastSeq > position, 'the new history passed the laptop position');

  // Its old position exists in the new log, but means something else there.
  laptop.connect();
  await waitFor('a reset snapshot', () => snapshots.some((b) => b.reason === 'reset'));
  await waitFor('caught up', () => store.status === 'live' && store.lastSeq === phoneStore.lastSeq);
  const base = store.getSnapshot().base;
  const conversation = [
    ...(base?.state?.runner.kind === 'agent' ? base.state.runner.events : []),
    ...store.getSnapshot().events,
  ].flatMap((e) => (e.type === 'agent.text' ? [(e.data as { text: string }).text] : []));
  assert.deepEqual(conversation, ['echo: one', 'echo: after restore 1', 'echo: after restore 2']);
});
