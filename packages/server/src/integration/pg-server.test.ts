import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import type { SessionInfo } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { TEST_PG_URL, tempPgSchema } from '../testing/pg-test-schema.js';
import { registerDevice } from '../testing/register-device.js';
import { spawnServerProcess } from '../testing/server-process.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

/**
 * The real server on PostgreSQL (`--store postgres://…`), with real WebSocket clients: inputs
 * from two devices at once are stored once each, in one order every client sees, and after a
 * `kill -9` and a restart on the same schema every acknowledged input is there and clients
 * resume from where they were.
 */
describe('the server on PostgreSQL', () => {
  test('submit, order and dedupe across two devices, then kill -9, restart and resume', async () => {
    const schema = await tempPgSchema();
    const data = tempDataDir();
    let proc = await spawnServerProcess(data.dir, 0, ['--store', schema.url]);
    try {
      const a = await ProtocolClient.connect(proc.wsUrl, await registerDevice(proc, 'a'));
      const b = await ProtocolClient.connect(proc.wsUrl, await registerDevice(proc, 'b'));
      const { session } = await a.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await Promise.all([a.subscribe(session.id, 0), b.subscribe(session.id, 0)]);

      // Both devices at once, each with its own ids 0..29 (dedupe is per device), and each
      // input sent again once acknowledged: the retry is a duplicate with the original seq.
      const acked = new Map<string, number>();
      await Promise.all(
        [a, b].map(async (c, n) => {
          for (let i = 0; i < 30; i++) {
            const payload = { kind: 'terminal' as const, data: `${n}:${i}` };
            const first = await c.submit(session.id, String(i), payload);
            const again = await c.submit(session.id, String(i), payload);
            assert.deepEqual(again, { seq: first.seq, duplicate: true }, 'a retry');
            acked.set(`${n}:${i}`, first.seq);
          }
        }),
      );
      assert.equal(new Set(acked.values()).size, 60, 'sixty inputs, sixty positions');
      const head = Math.max(...acked.values());
      await Promise.all([a.waitForSeq(session.id, head), b.waitForSeq(session.id, head)]);
      assert.deepEqual([a.violations, b.violations], [[], []]);
      assert.deepEqual(a.logs.get(session.id), b.logs.get(session.id), 'one order for everyone');
      const inputs = a.logs.get(session.id)!.filter((e) => e.type === 'input');
      assert.equal(inputs.length, 60, 'each input stored once');

      // kill -9 while inputs are in flight, then a restart on the same schema.
      const killed = new Map<string, number>();
      let sent = 0;
      const pump = (async () => {
        for (;;) {
          const id = `k-${sent++}`;
          try {
            const ack = await a.submit(session.id, id, { kind: 'terminal', data: 'k' }, 2_000);
            killed.set(id, ack.seq);
          } catch {
            return;
          }
        }
      })();
      await waitUntil(() => killed.size >= 40, '40 more acknowledged inputs');
      const port = proc.port;
      await proc.kill9();
      await pump;
      const seen = b.lastSeq.get(session.id)!;
      proc = await spawnServerProcess(data.dir, port, ['--store', schema.url]);
      const b2 = await ProtocolClient.connect(proc.wsUrl, await registerDevice(proc, 'b2'));
      b2.logs.set(session.id, [...b.logs.get(session.id)!]);
      b2.lastSeq.set(session.id, seen);
      const { headSeq } = await b2.subscribe(session.id, seen);
      await b2.waitForSeq(session.id, headSeq);
      assert.deepEqual(b2.violations, []);
      const log = b2.logs.get(session.id)!;
      log.forEach((e, i) => assert.equal(e.seq, i + 1, 'gap-free from 1'));
      for (const [seq, id] of [...acked.entries(), ...killed.entries()].map(([k, v]) => [v, k])) {
        const e = log[Number(seq) - 1];
        assert.ok(e?.type === 'input', `acknowledged ${id} survived kill -9 at its seq`);
      }
      for (const [id, seq] of killed) {
        const e = log[seq - 1];
        assert.equal(e?.type === 'input' && e.data.inputId, id, `${id} is at its seq`);
      }
      const status = log.filter((e) => e.type === 'session.status').at(-1);
      assert.equal(status?.type === 'session.status' && status.data.status, 'exited');
      a.terminate();
      b.terminate();
      await b2.close();
    } finally {
      await proc.stop().catch(() => {});
      data.remove();
      await schema.drop();
    }
  });

  test('a device, its token and its sessions live in PostgreSQL, not in the data directory', async () => {
    const schema = await tempPgSchema();
    const first = tempDataDir();
    const second = tempDataDir();
    // The owner token file is per data directory; the devices it registers are in the store.
    let server = await startTestServer({ dataDir: first.dir, store: schema.url });
    try {
      const token = await registerDevice(server, 'phone');
      const c = await ProtocolClient.connect(server.wsUrl, token);
      const { session } = await c.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await c.close();
      await server.close();
      server = await startTestServer({ dataDir: second.dir, store: schema.url });
      const again = await ProtocolClient.connect(server.wsUrl, token);
      const { sessions } = await again.request<{ sessions: SessionInfo[] }>({
        type: 'sessions.watch',
      });
      assert.deepEqual(
        sessions.map((s) => s.id),
        [session.id],
      );
      await again.close();
    } finally {
      await server.close();
      first.remove();
      second.remove();
      await schema.drop();
    }
  });

  test('a schema restored from an earlier dump: the sessions whose log went back get a new epoch', async () => {
    const schema = await tempPgSchema();
    const data = tempDataDir();
    let server = await startTestServer({ dataDir: data.dir, store: schema.url });
    const admin = new pg.Client(TEST_PG_URL);
    await admin.connect();
    try {
      const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const { session } = await c.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      for (let i = 0; i < 5; i++)
        await c.submit(session.id, `r${i}`, { kind: 'terminal', data: 'r' });
      const before = server.hub.get(session.id).epoch;
      await c.close();
      await server.close();
      // What a restore of a dump taken two events earlier leaves (docs/operations.md).
      const q = (sql: string) =>
        admin.query(sql.replaceAll('S.', `${schema.schema}.`), [session.id]);
      const { rows } = await q('SELECT head_seq FROM S.sessions WHERE id = $1');
      const head = Number((rows[0] as { head_seq: string }).head_seq) - 2;
      await q(`DELETE FROM S.events WHERE session_id = $1 AND seq > ${head}`);
      await q(`DELETE FROM S.inputs WHERE session_id = $1 AND seq > ${head}`);
      await q(`UPDATE S.sessions SET head_seq = ${head} WHERE id = $1`);
      server = await startTestServer({ dataDir: data.dir, store: schema.url });
      const after = server.hub.get(session.id);
      assert.notEqual(after.epoch, before, 'a new epoch: clients holding the old one are reset');
      assert.equal(after.committedSeq >= head, true);
    } finally {
      await admin.end();
      await server.close();
      data.remove();
      await schema.drop();
    }
  });
});
