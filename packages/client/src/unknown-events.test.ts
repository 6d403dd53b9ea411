import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { RunningServer } from '@baton/server';
import type { SessionStore } from './session-store.js';
import { connectedClient, startTestServer, tempDataDir, waitFor } from './testing/test-server.js';

/**
 * Integration: a log holding events of types this client does not know (written by a newer
 * server; put into the real SQLite file while the server is stopped), served by a real server.
 */

function replies(store: SessionStore): string[] {
  return store.getSnapshot().events.flatMap((e) => (e.type === 'agent.text' ? [e.data.text] : []));
}

/** Appends events of a type no released client knows, as a newer server would have stored them. */
function appendFutureEvents(dataDir: string, sessionId: string, count: number): number {
  const db = new Database(join(dataDir, 'baton.db'));
  try {
    // The head as the store reads it: the row's, or the newest event's when that is ahead (a
    // commit of plain events leaves the row alone).
    const { head } = db
      .prepare(
        `SELECT MAX(s.head_seq, COALESCE((SELECT MAX(seq) FROM events WHERE session_id = s.id), 0))
           AS head FROM sessions s WHERE id = ?`,
      )
      .get(sessionId) as { head: number };
    const insert = db.prepare(
      'INSERT INTO events (session_id, seq, ts, type, data) VALUES (?, ?, ?, ?, ?)',
    );
    for (let i = 1; i <= count; i++) {
      insert.run(sessionId, head + i, Date.now(), 'agent.future', JSON.stringify({ n: i }));
    }
    db.prepare('UPDATE sessions SET head_seq = ? WHERE id = ?').run(head + count, sessionId);
    return head + count;
  } finally {
    db.close();
  }
}

test('events of unknown types are skipped without a gap or a stall, live, replayed and fetched', async (t) => {
  const dir = tempDataDir(t);
  let server: RunningServer = await startTestServer(dir);
  const port = Number(new URL(server.wsUrl).port);
  t.after(() => server.close());
  const client = await connectedClient(t, server);
  const errors: Error[] = [];
  client.on('error', (e) => errors.push(e));
  const session = await client.createSession({ kind: 'claude', name: 'future' });
  const store = client.subscribe(session.id);
  await waitFor('live', () => store.status === 'live');
  await client.send(session.id, { kind: 'message', text: 'one' }).confirmed;
  await waitFor('the first reply', () => replies(store).includes('echo: one'));

  await client.close();
  await server.close();
  const futureHead = appendFutureEvents(dir, session.id, 30);
  server = await startTestServer(dir, port);
  client.connect();

  // Replayed: the position moves past them, and nothing waits for them to be fetched.
  await waitFor(
    `the position past the unknown events (${futureHead})`,
    () => store.lastSeq >= futureHead,
  );
  await client.send(session.id, { kind: 'message', text: 'two' }).confirmed;
  await waitFor('the reply after them', () => replies(store).includes('echo: two'));
  assert.ok(
    store.getSnapshot().events.every((e) => e.type !== ('agent.future' as string)),
    'unknown events are not shown',
  );

  // A window that must fetch across them to load older events.
  const narrow = await connectedClient(t, server, {
    retention: { agent: { events: 3, chars: 1_000_000 } },
  });
  const narrowStore = narrow.subscribe(session.id);
  await waitFor('the narrow view current', () => narrowStore.lastSeq === store.lastSeq);
  assert.equal(narrowStore.getSnapshot().truncated, true);
  while ((await narrowStore.loadOlder(7)) > 0);
  assert.equal(narrowStore.getSnapshot().truncated, false, 'loaded back to the start');
  assert.deepEqual(
    narrowStore.getSnapshot().events.map((e) => e.seq),
    store.getSnapshot().events.map((e) => e.seq),
  );
  assert.deepEqual(errors, []);
});
