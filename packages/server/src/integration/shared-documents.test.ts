import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  MAX_DOCUMENTS_PER_SESSION,
  type ConflictOutcome,
  type DocumentChanged,
  type DocumentState,
  type Hlc,
  type JsonValue,
  type SessionInfo,
} from '@baton/protocol';
import { idleRunnerFactory } from '../testing/idle-runner-factory.js';
import { registerDevice } from '../testing/register-device.js';
import { ProtocolClient, refusal } from '../testing/protocol-client.js';
import { startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

type Server = RunningServer & { stop(): Promise<void> };
type WriteReply =
  | { status: 'committed'; seq: number; document: DocumentState; conflicts: ConflictOutcome[] }
  | { status: 'conflict'; document: DocumentState; conflicts: ConflictOutcome[] };

interface WriteOptions {
  writeId?: string;
  strategy?: string;
  fieldStrategies?: Record<string, string | null>;
  hlc?: Hlc;
}

const write = (
  c: ProtocolClient,
  sessionId: string,
  name: string,
  baseVersion: number,
  patch: Record<string, JsonValue>,
  options: WriteOptions = {},
) => c.request<WriteReply>({ type: 'doc.write', sessionId, name, baseVersion, patch, ...options });

const get = async (c: ProtocolClient, sessionId: string, name: string) =>
  (await c.request<{ document: DocumentState | null }>({ type: 'doc.get', sessionId, name }))
    .document;

/** The `doc.changed` events of one document this client received, in log order. */
function changes(c: ProtocolClient, sessionId: string, name: string): DocumentChanged[] {
  return (c.logs.get(sessionId) ?? []).flatMap((e) =>
    e.type === 'doc.changed' && e.data.name === name ? [e.data] : [],
  );
}

const hlc = (wallMs: number, node: string): Hlc => ({ wallMs, counter: 0, node });

// Issue 14, shared state: two devices edit one document at once under each strategy.
describe('shared documents', () => {
  let server: Server;
  let laptopToken: string;
  const clients: ProtocolClient[] = [];
  const connect = async (token: string, mode: 'tab' | 'mobile' = 'tab') => {
    const c = await ProtocolClient.connect(server.wsUrl, token, mode);
    clients.push(c);
    return c;
  };
  /** A new session with two devices subscribed to it, a phone and a laptop. */
  const twoDevices = async () => {
    const phone = await connect(server.ownerToken, 'mobile');
    const laptop = await connect(laptopToken);
    const { session } = await phone.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
    });
    await phone.subscribe(session.id, 0);
    await laptop.subscribe(session.id, 0);
    return { phone, laptop, sessionId: session.id };
  };

  before(async () => {
    server = await startTestServer({ runners: [idleRunnerFactory()] });
    laptopToken = await registerDevice(server, 'laptop');
  });
  after(async () => {
    for (const c of clients) c.ws.close();
    await server?.stop();
  });

  test('merge: concurrent writes of different fields both apply; a conflicting field is handed back, never lost', async () => {
    const { phone, laptop, sessionId } = await twoDevices();
    const created = await write(
      phone,
      sessionId,
      'ui',
      0,
      { title: 't', body: 'b' },
      { strategy: 'merge' },
    );
    assert.equal(created.status, 'committed');
    assert.equal(created.document.version, 1);

    const [a, b] = await Promise.all([
      write(phone, sessionId, 'ui', 1, { title: 'phone title' }),
      write(laptop, sessionId, 'ui', 1, { body: 'laptop body' }),
    ]);
    assert.equal(a.status, 'committed');
    assert.equal(b.status, 'committed');
    assert.deepEqual(a.conflicts, []);
    assert.deepEqual(b.conflicts, []);
    const merged = await get(laptop, sessionId, 'ui');
    assert.deepEqual(merged?.fields, { title: 'phone title', body: 'laptop body' });
    assert.equal(merged?.version, 3);

    // Both change the title from version 3: the first commits, the second gets it back.
    const both = await Promise.all([
      write(phone, sessionId, 'ui', 3, { title: 'P', footer: 'from phone' }),
      write(laptop, sessionId, 'ui', 3, { title: 'L' }),
    ]);
    const loser = both.find((r) => r.conflicts.length > 0)!;
    const winner = both.find((r) => r.conflicts.length === 0)!;
    assert.ok(loser && winner, 'exactly one of the two writes conflicts');
    assert.equal(loser.status, 'committed', 'merge commits the rest of the write');
    const [returned] = loser.conflicts;
    assert.equal(returned?.result, 'returned');
    assert.equal(returned?.field, 'title');
    const now = await get(phone, sessionId, 'ui');
    assert.equal(now?.fields['title'], returned?.theirs, 'the committed title is the winner');
    assert.notEqual(returned?.yours, returned?.theirs, 'the loser holds its own value');
    assert.equal(now?.fields['footer'], 'from phone', 'non-conflicting fields of a write apply');
    assert.deepEqual(new Set([returned?.yours, returned?.theirs]), new Set(['P', 'L']));
  });

  test('timestamp: the later hybrid clock wins whatever order the writes arrive in; the loser is kept in the log', async () => {
    const { phone, laptop, sessionId } = await twoDevices();
    const t = Date.now();
    await write(
      phone,
      sessionId,
      'theme',
      0,
      { color: 'white' },
      { strategy: 'timestamp', hlc: hlc(t - 5000, 'phone') },
    );
    const [p, l] = await Promise.all([
      write(phone, sessionId, 'theme', 1, { color: 'red' }, { hlc: hlc(t - 1000, 'phone') }),
      write(laptop, sessionId, 'theme', 1, { color: 'blue' }, { hlc: hlc(t, 'laptop') }),
    ]);
    assert.ok(p.status === 'committed' && l.status === 'committed');
    const doc = await get(phone, sessionId, 'theme');
    assert.equal(doc?.fields['color'], 'blue');
    assert.deepEqual(doc?.clocks['color'], hlc(t, 'laptop'));
    await phone.waitForSeq(sessionId, Math.max(p.seq, l.seq));
    const lost = changes(phone, sessionId, 'theme').flatMap((c) => c.overruled ?? []);
    assert.ok(
      lost.some((o) => o.value === 'red'),
      `the phone's red is kept as overruled: ${JSON.stringify(lost)}`,
    );
    assert.equal(
      await refusal(write(phone, sessionId, 'theme', doc!.version, { color: 'green' })),
      'bad_request',
      'a timestamp field needs the write clock',
    );
    assert.equal(
      await refusal(
        write(
          phone,
          sessionId,
          'theme',
          doc!.version,
          { color: 'green' },
          { hlc: hlc(t + 10 * 60_000, 'phone') },
        ),
      ),
      'clock_skew',
    );
  });

  test('manual: the conflict is stored with both values and shown until resolved', async () => {
    const { phone, laptop, sessionId } = await twoDevices();
    await write(phone, sessionId, 'notes', 0, { text: 'draft' }, { strategy: 'manual' });
    const both = await Promise.all([
      write(phone, sessionId, 'notes', 1, { text: 'phone text' }),
      write(laptop, sessionId, 'notes', 1, { text: 'laptop text' }),
    ]);
    const stored = both.find((r) => r.conflicts.length > 0);
    assert.equal(stored?.status, 'committed');
    assert.equal(stored?.conflicts[0]?.result, 'stored');
    const doc = (await get(laptop, sessionId, 'notes'))!;
    const conflict = doc.conflicts['text'];
    assert.ok(conflict, 'the conflict is stored on the document');
    assert.deepEqual(
      new Set(conflict.values.map((v) => v.value)),
      new Set(['phone text', 'laptop text']),
      'both values are kept',
    );
    assert.equal(doc.fields['text'], conflict.values[0]!.value, 'the field keeps the first value');

    // A later write joins the conflict instead of replacing the field.
    const third = await write(phone, sessionId, 'notes', doc.version, { text: 'third' });
    assert.equal(third.status === 'committed' && third.conflicts[0]?.result, 'stored');
    assert.equal(third.document.fields['text'], doc.fields['text']);
    assert.equal(third.document.conflicts['text']?.values.length, 3);

    assert.equal(
      await refusal(
        laptop.request({
          type: 'doc.resolve',
          sessionId,
          name: 'notes',
          field: 'text',
          value: 'x',
          baseVersion: doc.version,
        }),
      ),
      'stale_version',
      'a resolver that has not seen the third value is refused',
    );
    const resolved = await laptop.request<{ seq: number; document: DocumentState }>({
      type: 'doc.resolve',
      sessionId,
      name: 'notes',
      field: 'text',
      value: 'phone text + laptop text',
      baseVersion: third.document.version,
    });
    assert.equal(resolved.document.fields['text'], 'phone text + laptop text');
    assert.deepEqual(resolved.document.conflicts, {});
    await phone.waitForSeq(sessionId, resolved.seq);
    const last = changes(phone, sessionId, 'notes').at(-1);
    assert.deepEqual(last?.resolved, ['text']);
    assert.equal(last?.deviceId, laptop.deviceId);
    assert.equal(last?.mode, 'tab');

    // The audit log names the device and mode of every committed change.
    const audit = await waitUntil(async () => {
      const res = await fetch(`${server.url}/api/audit?session=${sessionId}`, {
        headers: { authorization: `Bearer ${server.ownerToken}` },
      });
      const page = (await res.json()) as { entries: { action: string; mode: string }[] };
      return page.entries.some((e) => e.action === 'doc.resolve') ? page.entries : undefined;
    }, 'the resolve in the audit log');
    const docRows = audit.filter((e) => e.action.startsWith('doc.'));
    assert.deepEqual(docRows.map((e) => e.action).sort(), [
      'doc.resolve',
      'doc.write',
      'doc.write',
      'doc.write',
      'doc.write',
    ]);
    assert.deepEqual(
      docRows.filter((e) => e.action === 'doc.resolve').map((e) => e.mode),
      ['tab'],
      'the laptop resolved it, from a tab',
    );
  });

  test('a version 1 connection gets doc.changed as an empty terminal.output, so its positions stay gap-free', async () => {
    const { phone, laptop, sessionId } = await twoDevices();
    const old = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab', {}, 1);
    clients.push(old);
    await old.subscribe(sessionId, 0);
    const r = await write(phone, sessionId, 'd', 0, { a: 1 });
    assert.equal(r.status, 'committed');
    await old.waitForSeq(sessionId, r.seq);
    const at = old.logs.get(sessionId)?.find((e) => e.seq === r.seq);
    assert.deepEqual([at?.type, at?.data], ['terminal.output', { data: '' }]);
    await phone.request({ type: 'volatile', sessionId, key: 'k', data: 1 });
    await laptop.waitFor((f) => f.type === 'volatile');
    assert.ok(!old.frames.some((f) => (f.type as string) === 'volatile'));
    assert.deepEqual(old.violations, []);
  });

  test('user_choice: the writer who hits the conflict gets both values, nothing of its write applies, and it picks', async () => {
    const { phone, laptop, sessionId } = await twoDevices();
    await write(phone, sessionId, 'settings', 0, { model: 'small' }, { strategy: 'user_choice' });
    const both = await Promise.all([
      write(phone, sessionId, 'settings', 1, { model: 'large', extra: 'phone' }),
      write(laptop, sessionId, 'settings', 1, { model: 'medium', extra: 'laptop' }),
    ]);
    const handedBack = both.find((r) => r.status === 'conflict');
    const committed = both.find((r) => r.status === 'committed');
    assert.ok(handedBack && committed, 'one commits, the other is handed back');
    assert.equal(handedBack.document.version, 2);
    const model = handedBack.conflicts.find((c) => c.field === 'model')!;
    assert.equal(model.result, 'returned');
    assert.deepEqual(new Set([model.yours, model.theirs]), new Set(['large', 'medium']));
    assert.equal(model.theirs, committed.document.fields['model']);
    const doc = (await get(phone, sessionId, 'settings'))!;
    assert.equal(doc.version, 2, 'nothing of the handed-back write was committed');
    assert.equal(doc.fields['extra'], committed.document.fields['extra']);

    // The writer picks (here its own value) against the version it was shown.
    const loser = handedBack === both[0] ? phone : laptop;
    const picked = await write(loser, sessionId, 'settings', handedBack.document.version, {
      model: model.yours,
    });
    assert.equal(picked.status, 'committed');
    assert.equal(picked.document.fields['model'], model.yours);
    assert.equal(picked.document.version, 3);
  });

  test('a version 1 connection is sent only error codes version 1 knew: a later one as bad_request', async () => {
    const { phone, sessionId } = await twoDevices();
    await write(phone, sessionId, 'd', 0, { a: 1 });
    const old = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab', {}, 1);
    clients.push(old);
    await old.subscribe(sessionId, 0);
    assert.equal(await refusal(write(old, sessionId, 'd', 9, { a: 2 })), 'bad_request');
    assert.equal(await refusal(write(phone, sessionId, 'd', 9, { a: 2 })), 'stale_version');
  });

  test('bad input gets a clear code and the connection goes on', async () => {
    const { phone, sessionId } = await twoDevices();
    await write(phone, sessionId, 'd', 0, { a: 1 });
    assert.equal(await refusal(write(phone, sessionId, 'd', 9, { a: 2 })), 'stale_version');
    assert.equal(
      await refusal(
        phone.request({ type: 'doc.write', sessionId, name: 'd', baseVersion: 1, patch: [1, 2] }),
      ),
      'invalid_message',
      'a patch that is not an object',
    );
    assert.equal(
      await refusal(
        phone.request({
          type: 'doc.write',
          sessionId,
          name: 'd',
          baseVersion: 1,
          patch: { 'bad field!': 1 },
        }),
      ),
      'invalid_message',
    );
    assert.equal(
      await refusal(write(phone, sessionId, 'd', 1, { a: 2 }, { strategy: 'newest_wins' })),
      'invalid_message',
      'an unknown strategy',
    );
    assert.equal(
      await refusal(write(phone, sessionId, 'd', 1, { big: 'x'.repeat(17 * 1024) })),
      'too_large',
      'a field over 16 KiB',
    );
    const fields: Record<string, string> = {};
    for (let i = 0; i < 5; i++) fields[`f${i}`] = 'y'.repeat(15 * 1024);
    assert.equal(
      await refusal(write(phone, sessionId, 'd', 1, fields)),
      'too_large',
      'a document over 64 KiB',
    );
    assert.equal(
      await refusal(
        phone.request({
          type: 'doc.resolve',
          sessionId,
          name: 'd',
          field: 'a',
          value: 1,
          baseVersion: 1,
        }),
      ),
      'not_found',
      'no conflict to resolve',
    );
    for (let i = 1; i < MAX_DOCUMENTS_PER_SESSION; i++)
      await write(phone, sessionId, `doc${i}`, 0, { i });
    assert.equal(
      await refusal(write(phone, sessionId, 'one-more', 0, { i: 0 })),
      'too_many_documents',
    );
    const list = await phone.request<{ documents: { name: string }[] }>({
      type: 'doc.list',
      sessionId,
    });
    assert.equal(list.documents.length, MAX_DOCUMENTS_PER_SESSION);
    // None of it broke the connection or the document.
    const ok = await write(phone, sessionId, 'd', 1, { a: 2 });
    assert.equal(ok.status === 'committed' && ok.document.fields['a'], 2);
    assert.deepEqual(phone.violations, []);
  });

  test('a write sent again with its writeId (its reply lost) is answered with the first seq, not applied twice', async () => {
    const { phone, laptop, sessionId } = await twoDevices();
    const first = await write(phone, sessionId, 'pad', 0, { a: 1 }, { writeId: 'w-1' });
    assert.equal(first.status, 'committed');
    const again = await write(phone, sessionId, 'pad', 0, { a: 1 }, { writeId: 'w-1' });
    assert.equal(again.status, 'committed');
    assert.equal(
      again.status === 'committed' && again.seq,
      first.status === 'committed' && first.seq,
    );
    assert.equal(again.document.version, 1, 'the retry made no new version');
    // Sent again against a newer version (after a stale_version, say), it is the same write.
    const later = await write(laptop, sessionId, 'pad', 1, { b: 2 });
    assert.equal(later.document.version, 2);
    const rebased = await write(phone, sessionId, 'pad', 2, { a: 1 }, { writeId: 'w-1' });
    assert.equal(rebased.document.version, 2, 'a retry on a newer base is still answered');
    // The same id from another device is another write; a reused id with another patch is refused.
    const other = await write(laptop, sessionId, 'pad', 2, { c: 3 }, { writeId: 'w-1' });
    assert.equal(other.document.version, 3);
    await assert.rejects(
      phone.request({
        type: 'doc.write',
        sessionId,
        name: 'pad',
        baseVersion: 3,
        patch: { a: 9 },
        writeId: 'w-1',
      }),
      (err: Error & { code?: string }) =>
        err.code === 'bad_request' &&
        /write id 'w-1' was already used by this device for a different write/.test(err.message),
    );
    await waitUntil(() => changes(laptop, sessionId, 'pad').length === 3, 'three changes');
    assert.deepEqual(
      changes(laptop, sessionId, 'pad').map((c) => [c.version, c.changes]),
      [
        [1, { a: 1 }],
        [2, { b: 2 }],
        [3, { c: 3 }],
      ],
    );
  });

  test('a viewer reads documents but cannot write them', async () => {
    const { phone, sessionId } = await twoDevices();
    await write(phone, sessionId, 'd', 0, { a: 1 });
    const viewer = await connect(await registerDevice(server, 'tv', 'viewer'));
    await viewer.subscribe(sessionId, 0);
    assert.equal((await get(viewer, sessionId, 'd'))?.fields['a'], 1);
    assert.equal(await refusal(write(viewer, sessionId, 'd', 1, { a: 2 })), 'forbidden');
  });

  test('volatile state reaches the other subscribers at once and is never stored', async () => {
    const { phone, laptop, sessionId } = await twoDevices();
    const head = phone.lastSeq.get(sessionId) ?? 0;
    await phone.request({ type: 'volatile', sessionId, key: 'typing', data: { on: true } });
    const frame = await laptop.waitFor((f) => f.type === 'volatile');
    assert.deepEqual(
      frame.type === 'volatile' && [frame.key, frame.data, frame.deviceId, frame.mode],
      ['typing', { on: true }, phone.deviceId, 'mobile'],
    );
    assert.ok(!phone.frames.some((f) => f.type === 'volatile'), 'not echoed to its sender');
    const { events } = await laptop.request<{ events: unknown[] }>({
      type: 'fetch',
      sessionId,
      afterSeq: head,
    });
    assert.deepEqual(events, [], 'nothing was stored');
    const outsider = await connect(laptopToken);
    assert.equal(
      await refusal(outsider.request({ type: 'volatile', sessionId, key: 'cursor', data: 1 })),
      'not_subscribed',
    );
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        refusal(phone.request({ type: 'volatile', sessionId, key: 'cursor', data: i })),
      ),
    );
    assert.ok(burst.includes('rate_limited'), 'a burst over the limit is refused');
    assert.ok(burst.includes('accepted'));
  });
});

describe('shared documents across absence, compaction and restart', () => {
  test('a device that was away gets every doc.changed in order; after compaction and a restart the stored state still answers', async () => {
    const data = tempDataDir();
    let server: Server | undefined = await startTestServer({
      dataDir: data.dir,
      runners: [idleRunnerFactory()],
      retentionEvents: 10,
    });
    const clients: ProtocolClient[] = [];
    try {
      const phone = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'mobile');
      clients.push(phone);
      const { session } = await phone.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'claude',
      });
      const sessionId = session.id;
      const away = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      clients.push(away);
      await away.subscribe(sessionId, 0);
      let version = 0;
      const step = async (n: number) => {
        const r = await write(phone, sessionId, 'pad', version, { [`line${n % 3}`]: n });
        assert.equal(r.status, 'committed');
        version = r.document.version;
        return r;
      };
      const first = await step(1);
      await away.waitForSeq(sessionId, first.status === 'committed' ? first.seq : 0);
      away.terminate();
      for (let n = 2; n <= 5; n++) await step(n);

      // Resume from where it was: the missed changes follow in order, each once.
      const back = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      clients.push(back);
      back.lastSeq.set(sessionId, away.lastSeq.get(sessionId)!);
      back.logs.set(sessionId, []);
      const resumedFrom = away.lastSeq.get(sessionId)!;
      await back.subscribe(sessionId, resumedFrom);
      await waitUntil(
        () => changes(back, sessionId, 'pad').length === 4,
        'the four missed changes',
      );
      assert.deepEqual(
        changes(back, sessionId, 'pad').map((c) => c.version),
        [2, 3, 4, 5],
      );
      assert.deepEqual(back.violations, []);

      // Enough events to compact the early ones away.
      for (let n = 6; n <= 30; n++) await step(n);
      await waitUntil(async () => {
        const r = await phone.request<{ compacted: boolean }>({
          type: 'fetch',
          sessionId,
          afterSeq: 0,
          limit: 1,
        });
        return r.compacted;
      }, 'the first events to be compacted');
      const expected = (await get(phone, sessionId, 'pad'))!;
      assert.equal(expected.version, 30);
      assert.deepEqual(expected.fields, { line0: 30, line1: 28, line2: 29 });

      for (const c of clients) c.ws.close();
      await server.close();
      server = await startTestServer({
        dataDir: data.dir,
        runners: [idleRunnerFactory()],
        retentionEvents: 10,
      });
      const again = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      clients.push(again);
      assert.deepEqual(await get(again, sessionId, 'pad'), expected, 'the stored state survives');
      const next = await write(again, sessionId, 'pad', 30, { line0: 31 });
      assert.equal(next.document.version, 31, 'and writes go on from its version');
    } finally {
      for (const c of clients) c.ws.close();
      await server?.close();
      data.remove();
    }
  });
});
