import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { ServerMessage, SessionInfo } from '@baton/protocol';
import { WATERMARK_FILE } from '../hub/restore-guard.js';
import { ProtocolClient, ProtocolError } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir } from '../testing/test-server.js';

/**
 * A restored backup of baton.db must never leave a client silently ahead of the log: the
 * session's log gets a new epoch, and a client holding a position in the old one is reset.
 * Everything here is real: servers on port 0 over one data directory, SQLite files copied and put
 * back while the server is stopped, WebSocket clients.
 */
describe('restored backups and epochs', () => {
  const dirs: { remove(): void }[] = [];
  after(() => dirs.forEach((d) => d.remove()));

  const dataDir = () => {
    const d = tempDataDir('baton-restore-');
    dirs.push(d);
    return d.dir;
  };
  const start = (dir: string) => startTestServer({ dataDir: dir });
  type Server = Awaited<ReturnType<typeof start>>;

  /** Appends `n` events to the session (renames), returning the head afterwards. */
  async function append(client: ProtocolClient, sessionId: string, n: number): Promise<number> {
    let info: SessionInfo | undefined;
    for (let i = 0; i < n; i++) {
      ({ session: info } = await client.request<{ session: SessionInfo }>({
        type: 'session.rename',
        sessionId,
        name: `name ${Date.now()}-${i}-${Math.random()}`,
      }));
    }
    return info!.headSeq;
  }

  async function createSession(server: Server): Promise<{ c: ProtocolClient; id: string }> {
    const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const { session } = await c.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    });
    return { c, id: session.id };
  }

  /** Copies baton.db (and its WAL, if any) while no server runs. */
  function copyDb(dir: string, to: string): void {
    for (const suffix of ['', '-wal']) {
      rmSync(to + suffix, { force: true });
      if (existsSync(join(dir, 'baton.db' + suffix)))
        copyFileSync(join(dir, 'baton.db' + suffix), to + suffix);
    }
  }
  function restoreDb(backup: string, dir: string): void {
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(dir, 'baton.db' + suffix), { force: true });
    for (const suffix of ['', '-wal'])
      if (existsSync(backup + suffix))
        copyFileSync(backup + suffix, join(dir, 'baton.db' + suffix));
  }

  /**
   * The client that was ahead reconnects with its old position: it must get a `reset` snapshot
   * (with the new epoch) before anything else, then every new event.
   */
  /**
   * Starts the server on `dir` after a restore and checks that a client holding `position` in
   * the old epoch is reset: the session has a new epoch and the first frame is a `reset`.
   */
  async function startExpectingReset(
    dir: string,
    sessionId: string,
    position: { seq: number; epoch: string },
    why?: string,
  ): Promise<void> {
    const server = await start(dir);
    try {
      assert.notEqual(server.hub.get(sessionId).epoch, position.epoch, why);
      const { reader, snapshot } = await expectReset(server, sessionId, position);
      assert.equal(snapshot.reason, 'reset');
      await reader.close();
    } finally {
      await server.close();
    }
  }

  async function expectReset(
    server: Server,
    sessionId: string,
    position: { seq: number; epoch: string },
    version?: number,
  ): Promise<{ reader: ProtocolClient; snapshot: Extract<ServerMessage, { type: 'snapshot' }> }> {
    const reader = await ProtocolClient.connect(
      server.wsUrl,
      server.ownerToken,
      'headless',
      {},
      version,
    );
    // A version 1 client knows no epochs; it only holds a sequence number.
    const epoch = version === 1 ? undefined : position.epoch;
    const reply = await reader.subscribe(sessionId, position.seq, false, epoch);
    const info = server.hub.get(sessionId).info();
    assert.equal(reply.epoch, info.epoch, 'the reply carries the current epoch');
    const first = await reader.waitFor(
      (f) => (f.type === 'snapshot' || f.type === 'event') && f.sessionId === sessionId,
    );
    assert.equal(first.type, 'snapshot', 'the stale client is told, not left waiting');
    const snapshot = first as Extract<ServerMessage, { type: 'snapshot' }>;
    assert.equal(snapshot.epoch, info.epoch);
    assert.ok(snapshot.seq <= info.headSeq);
    return { reader, snapshot };
  }

  test('a backup restored while stopped gives a new epoch; a client that was ahead is reset, then gets new events', async () => {
    const dir = dataDir();
    let server = await start(dir);
    const { c, id } = await createSession(server);
    await append(c, id, 3);
    await c.close();
    await server.close();

    const backup = join(dataDir(), 'backup.db');
    copyDb(dir, backup);

    server = await start(dir);
    const writer = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const ahead = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const { epoch: oldEpoch } = await ahead.subscribe(id, 0);
    const aheadHead = await append(writer, id, 10);
    await ahead.waitForSeq(id, aheadHead);
    assert.deepEqual(ahead.violations, []);
    await Promise.all([writer.close(), ahead.close()]);
    await server.close();

    restoreDb(backup, dir);
    server = await start(dir);
    try {
      const restored = server.hub.get(id).info();
      assert.ok(restored.headSeq < aheadHead, 'the head went backwards');
      assert.notEqual(restored.epoch, oldEpoch, 'the restored log has a new epoch');

      const { reader, snapshot } = await expectReset(server, id, {
        seq: aheadHead,
        epoch: oldEpoch,
      });
      assert.equal(snapshot.reason, 'reset');
      // New events after the restore reach the client that was ahead.
      const w = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const head = await append(w, id, 3);
      await reader.waitForSeq(id, head);
      assert.deepEqual(reader.violations, []);
      assert.equal(reader.lastSeq.get(id), head);
      const names = (reader.logs.get(id) ?? []).filter((e) => e.type === 'session.renamed');
      assert.equal(names.length, 3, 'the three renames after the restore arrived');
      // A fetch in the old epoch is refused with a code that says what to do.
      await assert.rejects(
        w.request({ type: 'fetch', sessionId: id, afterSeq: 1, epoch: oldEpoch }),
        (err: unknown) => err instanceof ProtocolError && err.code === 'epoch_changed',
      );
      await Promise.all([reader.close(), w.close()]);
    } finally {
      await server.close();
    }
  });

  test('a copy taken while the server ran, restored later, is noticed by the recorded head', async () => {
    const dir = dataDir();
    const server = await start(dir);
    const { c, id } = await createSession(server);
    await append(c, id, 2);
    // An online backup (SQLite's backup API) in the same run: same run id as the live database.
    const backup = join(dataDir(), 'online.db');
    const live = new Database(join(dir, 'baton.db'), { readonly: true });
    await live.backup(backup);
    live.close();
    const { epoch: oldEpoch } = await c.subscribe(id, 0);
    const aheadHead = await append(c, id, 5);
    await c.waitForSeq(id, aheadHead);
    await c.close();
    await server.close();

    restoreDb(backup, dir);
    await startExpectingReset(dir, id, { seq: aheadHead, epoch: oldEpoch });
  });

  test('a backup from before the last start is noticed even when the recorded heads lag', async () => {
    const dir = dataDir();
    let server = await start(dir);
    const { c, id } = await createSession(server);
    const backupHead = await append(c, id, 2);
    await c.close();
    await server.close();
    const backup = join(dataDir(), 'stopped.db');
    copyDb(dir, backup);

    server = await start(dir);
    const w = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const { epoch: oldEpoch } = await w.subscribe(id, 0);
    const aheadHead = await append(w, id, 4);
    await w.waitForSeq(id, aheadHead);
    await w.close();
    await server.close();
    // As after a kill -9 before the heads file was rewritten: it still shows the old head.
    const file = join(dir, WATERMARK_FILE);
    const heads = JSON.parse(readFileSync(file, 'utf8')) as {
      sessions: Record<string, { head: number }>;
    };
    heads.sessions[id]!.head = backupHead;
    writeFileSync(file, JSON.stringify(heads));

    restoreDb(backup, dir);
    await startExpectingReset(
      dir,
      id,
      { seq: aheadHead, epoch: oldEpoch },
      'baton.db predates the last start',
    );
  });

  test('a plain restart keeps the epoch and resumes exactly', async () => {
    const dir = dataDir();
    let server = await start(dir);
    const { c, id } = await createSession(server);
    const { epoch } = await c.subscribe(id, 0);
    const head = await append(c, id, 3);
    await c.waitForSeq(id, head);
    await c.close();
    await server.close();
    server = await start(dir);
    try {
      assert.equal(server.hub.get(id).epoch, epoch, 'nothing was restored: same epoch');
      const r = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      r.lastSeq.set(id, head);
      await r.subscribe(id, head, false, epoch);
      const more = await append(r, id, 1);
      await r.waitForSeq(id, more);
      assert.ok(!r.frames.some((f) => f.type === 'snapshot'), 'no reset for a valid position');
      assert.deepEqual(r.violations, []);
      await r.close();
    } finally {
      await server.close();
    }
  });

  test('an unreadable or missing heads file means unknown history: new epochs', async () => {
    const dir = dataDir();
    let server = await start(dir);
    const { c, id } = await createSession(server);
    let epoch = server.hub.get(id).epoch;
    await c.close();
    await server.close();
    for (const damage of ['{"runId": 5', undefined]) {
      const file = join(dir, WATERMARK_FILE);
      if (damage === undefined) rmSync(file);
      else writeFileSync(file, damage);
      server = await start(dir);
      try {
        const now = server.hub.get(id).epoch;
        assert.notEqual(now, epoch, damage === undefined ? 'missing' : 'unreadable');
        epoch = now;
      } finally {
        await server.close();
      }
    }
  });

  test('a crash while a start switched run ids is not taken for a restore', async () => {
    const dir = dataDir();
    let server = await start(dir);
    const { c, id } = await createSession(server);
    const epoch = server.hub.get(id).epoch;
    await c.close();
    await server.close();
    // As if the last start died between its two writes: the file names the old and the new id,
    // and baton.db already holds the new one.
    const db = new Database(join(dir, 'baton.db'), { readonly: true });
    const { value: runId } = db.prepare("SELECT value FROM meta WHERE key = 'run_id'").get() as {
      value: string;
    };
    db.close();
    const file = join(dir, WATERMARK_FILE);
    const heads = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...heads, runId: 'r_before', nextRunId: runId }));
    server = await start(dir);
    try {
      assert.equal(server.hub.get(id).epoch, epoch);
    } finally {
      await server.close();
    }
  });

  test('a position beyond the head is reset even in the same epoch; version 1 clients get resync', async () => {
    const dir = dataDir();
    const server = await start(dir);
    try {
      const { c, id } = await createSession(server);
      const head = await append(c, id, 2);
      const epoch = server.hub.get(id).epoch;
      const v2 = await expectReset(server, id, { seq: head + 50, epoch });
      assert.equal(v2.snapshot.reason, 'reset');
      await assert.rejects(
        c.request({ type: 'fetch', sessionId: id, afterSeq: head + 50 }),
        (err: unknown) => err instanceof ProtocolError && err.code === 'epoch_changed',
      );
      const http = (query: string) =>
        fetch(`${server.url}/api/sessions/${id}/events?${query}`, {
          headers: { authorization: `Bearer ${server.ownerToken}` },
        });
      const beyond = await http(`after=${head + 50}`);
      assert.equal(beyond.status, 409);
      assert.equal(
        ((await beyond.json()) as { error: { code: string } }).error.code,
        'epoch_changed',
      );
      const otherEpoch = await http(`after=1&epoch=e_other`);
      assert.equal(otherEpoch.status, 409);
      const fine = await http(`after=1&epoch=${epoch}`);
      assert.equal(fine.status, 200);
      assert.equal(((await fine.json()) as { epoch: string }).epoch, epoch);
      const v1 = await expectReset(server, id, { seq: head + 50, epoch }, 1);
      assert.equal(v1.snapshot.reason, 'resync', 'version 1 does not know reset');
      // Version 1 keeps its fetch answer: no events, and the head that shows it is ahead.
      const fetched = await v1.reader.request<{ events: unknown[]; headSeq: number }>({
        type: 'fetch',
        sessionId: id,
        afterSeq: head + 50,
      });
      assert.deepEqual(fetched.events, []);
      await Promise.all([c.close(), v2.reader.close(), v1.reader.close()]);
    } finally {
      await server.close();
    }
  });
});
