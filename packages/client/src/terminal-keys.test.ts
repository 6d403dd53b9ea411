import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownLogEvent, type SessionId } from '@baton/protocol';
import type { BatonClient } from './baton-client.js';
import { LocalStorageOutboxStorage, type WebStorageLike } from './local-storage-outbox-storage.js';
import type { DroppedInputs } from './outbox.js';
import { connectedClient, startTestServer, tempDataDir, waitFor } from './testing/test-server.js';

/** Integration: real server, real WebSockets, real PTYs, real SQLite. */

/** A shell that neither echoes nor prints, so the log holds only what the test sends. */
const QUIET = { shell: '/bin/sh', args: ['-c', 'stty -echo; exec sleep 100000'] };

/** The Web Storage API over a Map: what `localStorage` keeps across page loads. */
class MapStorage implements WebStorageLike {
  readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

async function storedInputs(client: BatonClient, sessionId: string): Promise<string[]> {
  const { events } = await client.fetchEvents(sessionId, 0, 5000);
  return events
    .filter(isKnownLogEvent)
    .flatMap((e) =>
      e.type === 'input'
        ? [
            'data' in e.data.payload
              ? e.data.payload.data
              : 'text' in e.data.payload
                ? e.data.payload.text
                : '',
          ]
        : [],
    );
}

async function runningRun(client: BatonClient, sessionId: SessionId, above = 0): Promise<number> {
  let run = 0;
  await waitFor(`session ${sessionId} running above run ${above}`, () => {
    const info = client.sessions.get(sessionId);
    run = info?.run ?? 0;
    return info?.status === 'running' && run > above;
  });
  return run;
}

test('keystrokes typed offline are not replayed by the next page load; messages are', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const local = new MapStorage();
  const first = await connectedClient(t, server, {
    storage: new LocalStorageOutboxStorage('device-1', local),
  });
  const shell = await first.createSession({ kind: 'terminal', config: QUIET });
  const chat = await first.createSession({ kind: 'claude' });
  await runningRun(first, shell.id);
  await first.close();

  // Offline, just before the laptop sleeps: a command typed, and a chat message.
  first.send(shell.id, { kind: 'terminal', data: 'rm -rf build\r' });
  first.send(chat.id, { kind: 'message', text: 'still there?' });
  await waitFor('the message to be stored', () => local.map.size === 1);
  assert.ok(
    [...local.map.values()].every((v) => !v.includes('rm -rf')),
    'no keystroke in localStorage',
  );

  // The next page load, with the same localStorage.
  const second = await connectedClient(t, server, {
    storage: new LocalStorageOutboxStorage('device-1', local),
  });
  second.subscribe(chat.id);
  await waitFor('the message to be delivered', () => second.outbox.getSnapshot().length === 0);
  assert.deepEqual(await storedInputs(second, chat.id), ['still there?']);
  assert.deepEqual(await storedInputs(second, shell.id), [], 'the keys never reached the shell');
});

test('keys typed for a run that has ended are dropped, and the client says how many', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const owner = await connectedClient(t, server);
  const laptop = await connectedClient(t, server);
  const dropped: DroppedInputs[] = [];
  laptop.on('inputsDropped', (d) => dropped.push(d));
  const shell = await owner.createSession({ kind: 'terminal', config: QUIET });
  const firstRun = await runningRun(laptop, shell.id);
  const store = laptop.subscribe(shell.id);
  await waitFor('live', () => store.status === 'live');
  const kept = laptop.send(shell.id, { kind: 'terminal', data: 'first run\r' });
  await kept.confirmed;

  // The laptop sleeps; meanwhile the shell is restarted from another device.
  await laptop.close();
  await owner.restartSession(shell.id);
  const secondRun = await runningRun(owner, shell.id, firstRun);
  laptop.send(shell.id, { kind: 'terminal', data: 'typed before sleeping\r' });
  laptop.send(shell.id, { kind: 'terminal', data: 'q' });
  assert.equal(laptop.outbox.getSnapshot().length, 2);

  // It wakes: the subscription learns the new run before anything is sent.
  laptop.connect();
  await waitFor('the drop to be reported', () => dropped.length > 0);
  assert.deepEqual(dropped, [{ sessionId: shell.id, count: 2, reason: 'restarted' }]);
  assert.equal(laptop.outbox.getSnapshot().length, 0);

  // Keys that reach the server with an old run are refused there, and dropped the same way.
  await waitFor('live again', () => store.status === 'live');
  const late = laptop.send(shell.id, { kind: 'terminal', data: 'late\r', run: firstRun });
  await assert.rejects(late.confirmed, (e: { code: string }) => e.code === 'stale_input');
  await waitFor('the refusal to be reported', () => dropped.length === 2);
  assert.deepEqual(dropped[1], { sessionId: shell.id, count: 1, reason: 'restarted' });

  const current = laptop.send(shell.id, { kind: 'terminal', data: 'second run\r' });
  await current.confirmed;
  assert.equal(store.info?.run, secondRun);
  assert.deepEqual(await storedInputs(laptop, shell.id), ['first run\r', 'second run\r']);
});
