import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { spawnServerProcess } from '../testing/server-process.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

describe('resume and recovery', () => {
  test('a client cut off mid-stream resumes exactly where it was', async () => {
    const server = await startTestServer();
    try {
      const writer = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const { session } = await writer.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      let reader = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      await reader.subscribe(session.id, 0);
      let n = 0;
      const submitSome = async (count: number) => {
        for (let i = 0; i < count; i++)
          await writer.submit(session.id, `in-${n++}`, { kind: 'terminal', data: 'x' });
      };
      await submitSome(50);
      // Cut while more is being written.
      const more = submitSome(100);
      await reader.waitForSeq(session.id, 60);
      const kept = reader.logs.get(session.id)!;
      const lastSeq = reader.lastSeq.get(session.id)!;
      reader.terminate();
      await more;
      reader = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      reader.logs.set(session.id, [...kept]);
      reader.lastSeq.set(session.id, lastSeq);
      await reader.subscribe(session.id, lastSeq);
      await submitSome(10);
      const head = server.hub.get(session.id).committedSeq;
      await reader.waitForSeq(session.id, head);
      const full = await fetch(
        `${server.url}/api/sessions/${session.id}/events?after=0&limit=5000`,
        {
          headers: { authorization: `Bearer ${server.ownerToken}` },
        },
      ).then((r) => r.json() as Promise<{ events: unknown[] }>);
      assert.deepEqual(reader.violations, []);
      assert.deepEqual(
        reader.logs.get(session.id),
        full.events,
        'resumed log equals the stored log exactly',
      );
      await Promise.all([writer.close(), reader.close()]);
    } finally {
      await server.stop();
    }
  });

  test('kill -9 and restart: every acknowledged input is still there and clients resume', async () => {
    const data = tempDataDir();
    let proc = await spawnServerProcess(data.dir);
    try {
      const port = proc.port;
      const c = await ProtocolClient.connect(proc.wsUrl, proc.ownerToken);
      const { session } = await c.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await c.subscribe(session.id, 0);
      const acked = new Map<string, number>();
      let sent = 0;
      // Keep submitting; kill the server while inputs are in flight.
      const pump = (async () => {
        for (;;) {
          const id = `k-${sent++}`;
          try {
            const ack = await c.submit(session.id, id, { kind: 'terminal', data: 'y' }, 2_000);
            acked.set(id, ack.seq);
          } catch {
            return;
          }
        }
      })();
      await waitUntil(() => acked.size >= 200, '200 acknowledged inputs');
      await proc.kill9();
      await pump;
      const seenBefore = c.lastSeq.get(session.id)!;
      proc = await spawnServerProcess(data.dir, port);
      const c2 = await ProtocolClient.connect(proc.wsUrl, proc.ownerToken);
      c2.logs.set(session.id, [...c.logs.get(session.id)!]);
      c2.lastSeq.set(session.id, seenBefore);
      const { headSeq } = await c2.subscribe(session.id, seenBefore);
      await c2.waitForSeq(session.id, headSeq);
      const log = c2.logs.get(session.id)!;
      assert.deepEqual(c2.violations, []);
      log.forEach((e, i) => assert.equal(e.seq, i + 1));
      for (const [id, seq] of acked) {
        const e = log.find((x) => x.type === 'input' && x.data.inputId === id);
        assert.ok(e, `acknowledged ${id} survived kill -9`);
        assert.equal(e.seq, seq);
      }
      // The restart says what happened to the shell.
      const status = log.filter((e) => e.type === 'session.status').at(-1);
      assert.equal(status?.type === 'session.status' && status.data.status, 'exited');
      // A retry of an input acknowledged before the crash is still recognised.
      const [someId, someSeq] = [...acked.entries()][0]!;
      const again = await c2.submit(session.id, someId, { kind: 'terminal', data: 'y' });
      assert.deepEqual(
        again,
        { seq: someSeq, duplicate: true },
        'a retry after the crash is still a duplicate',
      );
      const retried = await fetch(`${proc.url}/api/sessions/${session.id}/inputs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${proc.ownerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ inputId: someId, payload: { kind: 'terminal', data: 'y' } }),
      });
      assert.equal(retried.status, 200);
      assert.deepEqual(await retried.json(), { seq: someSeq, duplicate: true });
      // The session can be restarted in the same directory.
      const { session: restarted } = await c2.request<{ session: SessionInfo }>({
        type: 'session.restart',
        sessionId: session.id,
      });
      assert.equal(restarted.status, 'running');
      await c2.close();
      c.terminate();
    } finally {
      await proc.stop().catch(() => {});
      data.remove();
    }
  });

  test('a subscriber older than retention gets a snapshot, then the events after it', async () => {
    const server = await startTestServer({ retentionEvents: 100 });
    try {
      const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const { session } = await c.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: { shell: '/bin/sh', args: ['-c', 'stty -echo; cat'] },
      });
      for (let i = 0; i < 400; i++)
        await c.submit(session.id, `r-${i}`, { kind: 'terminal', data: `line ${i}\r` });
      const live = server.hub.get(session.id);
      await waitUntil(() => live.firstSeq > 1, 'compaction');
      const late = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      await late.subscribe(session.id, 0);
      const snap = await late.waitFor((f) => f.type === 'snapshot');
      assert.ok(snap.type === 'snapshot' && snap.reason === 'retention');
      await late.waitForSeq(session.id, live.committedSeq);
      assert.deepEqual(late.violations, []);
      const state =
        snap.type === 'snapshot'
          ? (snap.state as { runner: { kind: string; screen: string } })
          : undefined;
      assert.equal(state?.runner.kind, 'terminal');
      assert.match(state!.runner.screen, /line \d+/);
      // HTTP readers are told that the range is gone rather than handed a partial log.
      const res = await fetch(`${server.url}/api/sessions/${session.id}/events?after=0`, {
        headers: { authorization: `Bearer ${server.ownerToken}` },
      });
      assert.equal(((await res.json()) as { compacted: boolean }).compacted, true);
      await Promise.all([c.close(), late.close()]);
    } finally {
      await server.stop();
    }
  });
});
