import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { SqliteStore } from '../storage/sqlite-store.js';
import { holdableCommits } from '../testing/held-commit-store.js';
import { ProtocolClient, ProtocolError } from '../testing/protocol-client.js';
import { scriptedRunnerFactory } from '../testing/scripted-runner-factory.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

/**
 * The invariants that once held only because better-sqlite3 answers inside the call, with a store
 * that yields where PostgreSQL does: a commit written but not yet answered, a slow commit, a
 * commit whose reply is lost. Real server, real WebSocket clients; the store is SQLite with its
 * commits held by the test (holdableCommits).
 */
describe('a store that yields', () => {
  const scripted = scriptedRunnerFactory('claude');
  const data = tempDataDir();
  const sqlite = new SqliteStore(join(data.dir, 'baton.db'));
  const commits = holdableCommits(sqlite);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const clients: ProtocolClient[] = [];
  const connect = async () => {
    const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    clients.push(c);
    return c;
  };
  const create = async (c: ProtocolClient, kind: 'claude' | 'terminal') =>
    (
      await c.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind,
        ...(kind === 'terminal' ? { config: QUIET_TERMINAL } : {}),
      })
    ).session;

  before(async () => {
    server = await startTestServer({
      dataDir: data.dir,
      store: commits.store,
      runners: [scripted.factory],
    });
  });
  after(async () => {
    commits.release();
    for (const c of clients) c.ws.close();
    await server?.close();
    data.remove();
  });

  test('a joiner is sent nothing the server has not heard committed, and the streamed text once', async () => {
    const a = await connect();
    const session = await create(a, 'claude');
    await waitUntil(() => scripted.contexts.has(session.id), 'the runner to start');
    const ctx = scripted.contexts.get(session.id)!;
    // More than the recent frames a session keeps in memory (RecentFrames, 512 KiB): a joiner
    // from the start is caught up from the store, which is where a commit shows before it is
    // heard of.
    const long = 'x'.repeat(600 * 1024);
    await ctx.emit([{ type: 'agent.text', data: { messageId: 'msg0', text: long } }]);
    ctx.stream('msg1', 'text', 'Hello');
    // The final event is written to the store, but the server has not heard back yet.
    commits.hold('after');
    const emitted = ctx.emit([{ type: 'agent.text', data: { messageId: 'msg1', text: 'Hello' } }]);
    await waitUntil(() => commits.held === 1, 'the commit to be written and held');
    const live = server.hub.get(session.id);
    const committedBefore = live.committedSeq;

    const c = await connect();
    await c.subscribe(session.id, 0);
    // The text so far is sent as the joiner turns live, after every replayed event.
    await waitUntil(
      () => c.frames.some((f) => f.type === 'stream'),
      'the joiner to catch up and turn live',
    );
    assert.equal(live.subscriptions.get(c.connectionId)?.state, 'live');
    const texts = () =>
      (c.logs.get(session.id) ?? []).flatMap((e) =>
        e.type === 'agent.text' ? [e.data.messageId] : [],
      );
    assert.equal(c.lastSeq.get(session.id), committedBefore, 'replayed up to what was heard');
    assert.deepEqual(texts(), ['msg0'], 'not the event that is stored but not yet heard of');
    const streamed = c.frames.filter((f) => f.type === 'stream');
    assert.deepEqual(
      streamed.map((f) => f.type === 'stream' && f.delta),
      ['Hello'],
      'the text so far, as the turn in progress',
    );

    commits.release();
    await emitted;
    await waitUntil(() => texts().length === 2, 'the final event, live');
    assert.deepEqual(texts(), ['msg0', 'msg1']);
    assert.deepEqual(c.violations, []);
    assert.equal(c.frames.filter((f) => f.type === 'stream').length, 1, 'the text once');
  });

  test('inputs arriving during a slow commit wait for it: a retry is a duplicate, numbers stay gap-free', async () => {
    const a = await connect();
    const b = await connect();
    const session = await create(a, 'terminal');
    await b.subscribe(session.id, 0);
    commits.hold('before');
    const first = a.submit(session.id, 'x', { kind: 'terminal', data: 'x' });
    await waitUntil(() => commits.held === 1, 'the first commit to be waiting');
    // Arrives while the first commit is on its way: a retry of it (from another window of the
    // same device), and other inputs.
    assert.equal(b.deviceId, a.deviceId);
    const retry = b.submit(session.id, 'x', { kind: 'terminal', data: 'x' });
    const others = Array.from({ length: 5 }, (_, i) =>
      a.submit(session.id, `o${i}`, { kind: 'terminal', data: 'o' }),
    );
    await waitUntil(
      () => server.hub.writer.queued === 6 && commits.held === 1,
      'the retry and the other inputs to wait for the first commit, not to start their own',
    );
    commits.release();
    const [ack, again, ...rest] = await Promise.all([first, retry, ...others]);
    assert.deepEqual(again, { seq: ack!.seq, duplicate: true }, 'the retry gets the original seq');
    const seqs = [ack!.seq, ...rest.map((r) => r!.seq)].sort((x, y) => x - y);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
      'gap-free',
    );
    await b.waitForSeq(session.id, server.hub.get(session.id).committedSeq);
    assert.deepEqual(b.violations, []);
    const stored = await sqlite.readEvents(session.id, 0, 1000);
    assert.deepEqual(
      stored.map((e) => e.seq),
      stored.map((_, i) => i + 1),
      'the stored log is gap-free',
    );
  });

  test('a commit whose reply was lost is acknowledged once, and the log goes on after it', async () => {
    const a = await connect();
    const b = await connect();
    const session = await create(a, 'terminal');
    await b.subscribe(session.id, 0);
    commits.loseNextReply();
    const ack = await a.submit(session.id, 'lost-reply', { kind: 'terminal', data: 'l' });
    assert.equal(ack.duplicate, false);
    const next = await a.submit(session.id, 'after', { kind: 'terminal', data: 'n' });
    await b.waitForSeq(session.id, next.seq);
    // Only the terminal's echo (of input typed before its `stty -echo` ran) may sit between the two.
    assert.deepEqual(
      (b.logs.get(session.id) ?? [])
        .filter((e) => e.seq > ack.seq && e.seq < next.seq)
        .filter((e) => e.type !== 'terminal.output'),
      [],
      'the next input right after it',
    );
    assert.deepEqual(b.violations, []);
    const inputs = (b.logs.get(session.id) ?? []).filter((e) => e.type === 'input');
    assert.deepEqual(
      inputs.map((e) => e.type === 'input' && e.data.inputId),
      ['lost-reply', 'after'],
      'each once, in order',
    );
    await assert.rejects(
      a.submit(session.id, 'after', { kind: 'terminal', data: 'other' }),
      (err: unknown) => err instanceof ProtocolError,
      'the id stays taken',
    );
  });
});
