import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { ProtocolClient, type ProtocolError } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

/** Integration: real server, real WebSocket, real PTY, real SQLite. */

async function runningInfo(c: ProtocolClient, sessionId: string): Promise<SessionInfo> {
  return waitUntil(async () => {
    const { sessions } = await c.request<{ sessions: SessionInfo[] }>({ type: 'sessions.watch' });
    const info = sessions.find((s) => s.id === sessionId);
    return info?.status === 'running' ? info : undefined;
  }, `session ${sessionId} to run`);
}

test('terminal keys typed for an earlier run are refused with stale_input, never delivered', async (t) => {
  const data = tempDataDir();
  let server = await startTestServer({ dataDir: data.dir });
  // One hook, in this order: the server writes its last files at close.
  t.after(async () => {
    await server.close();
    data.remove();
  });
  let c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
  const { session } = await c.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind: 'terminal',
    config: QUIET_TERMINAL,
  });
  const first = (await runningInfo(c, session.id)).run;
  assert.ok(first > 0, `a started terminal has a run (${first})`);
  const kept = await c.submit(session.id, 'k1', { kind: 'terminal', data: 'a', run: first });
  assert.equal(kept.duplicate, false);

  const { session: restarted } = await c.request<{ session: SessionInfo }>({
    type: 'session.restart',
    sessionId: session.id,
  });
  const second = (await runningInfo(c, session.id)).run;
  assert.ok(second > first, `the run increases at a restart (${first} → ${second})`);
  assert.ok(restarted.run >= first);

  await assert.rejects(
    c.submit(session.id, 'k2', { kind: 'terminal', data: 'rm -rf x\r', run: first }),
    (error: ProtocolError) => error.code === 'stale_input',
  );
  const refusal = await c.waitFor((f) => f.type === 'error' && f.inputId === 'k2');
  assert.ok(refusal.type === 'error' && /restarted/.test(refusal.message), 'says why');
  // A retry of an input stored in the earlier run is still a duplicate, not a refusal.
  assert.deepEqual(await c.submit(session.id, 'k1', { kind: 'terminal', data: 'a', run: first }), {
    seq: kept.seq,
    duplicate: true,
  });
  await c.submit(session.id, 'k3', { kind: 'terminal', data: 'b', run: second });
  await c.submit(session.id, 'k4', { kind: 'terminal', data: 'c' });

  // The run keeps increasing across a server restart, although it is not stored anywhere.
  await c.close();
  await server.close();
  server = await startTestServer({ dataDir: data.dir });
  c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
  await c.request({ type: 'session.restart', sessionId: session.id });
  const third = (await runningInfo(c, session.id)).run;
  assert.ok(third > second, `the run increases after a server restart (${second} → ${third})`);
  await assert.rejects(
    c.submit(session.id, 'k5', { kind: 'terminal', data: 'x', run: second }),
    (error: ProtocolError) => error.code === 'stale_input',
  );

  const { events } = await c.request<{ events: { type: string; data: { inputId?: string } }[] }>({
    type: 'fetch',
    sessionId: session.id,
    afterSeq: 0,
    limit: 1000,
  });
  const inputs = events.filter((e) => e.type === 'input').map((e) => e.data.inputId);
  assert.deepEqual(inputs, ['k1', 'k3', 'k4'], 'stale keys never reach the log');
  await c.close();
});
