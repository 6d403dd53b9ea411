import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { AGENT_SNAPSHOT_TYPES } from '../projections/agent/index.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { scriptedRunnerFactory } from '../testing/scripted-runner-factory.js';
import { startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

type Snapshot = { seq: number; state: { session: SessionInfo; runner: unknown } };

/** A late joiner's snapshot of `sessionId` from position 0, once it has caught up to `head`. */
async function joinFromStart(
  wsUrl: string,
  token: string,
  sessionId: string,
  head: number,
): Promise<Snapshot & { reason: string }> {
  const late = await ProtocolClient.connect(wsUrl, token);
  try {
    await late.subscribe(sessionId, 0);
    const snap = await late.waitFor((f) => f.type === 'snapshot');
    await late.waitForSeq(sessionId, head);
    assert.deepEqual(late.violations, []);
    assert.ok(snap.type === 'snapshot');
    return snap as unknown as Snapshot & { reason: string };
  } finally {
    await late.close();
  }
}

// A long agent session is compacted like a terminal, and what replaces its deleted events is
// the conversation: every message-level event up to the snapshot's seq, in log order, the same
// over a socket, over HTTP and after a restart (the snapshot text is kept encoded, not rebuilt).
describe('an agent session over retention', () => {
  test('a joiner from the start gets the whole conversation, then the events after it', async () => {
    const scripted = scriptedRunnerFactory('claude');
    const data = tempDataDir();
    const options = { retentionEvents: 100, runners: [scripted.factory], dataDir: data.dir };
    let server = await startTestServer(options);
    try {
      const a = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const { session } = await a.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'claude',
        name: 'long',
      });
      await a.subscribe(session.id, 0);
      await waitUntil(() => scripted.contexts.has(session.id), 'the runner to start');
      const ctx = scripted.contexts.get(session.id)!;
      for (let turn = 0; turn < 60; turn++) {
        await a.submit(session.id, `in-${turn}`, { kind: 'message', text: `question ${turn}` });
        await ctx.emit([
          { type: 'agent.turn.started', data: { turnId: `t${turn}`, inputIds: [`in-${turn}`] } },
          { type: 'agent.text', data: { messageId: `a${turn}`, text: `answer "${turn}" ✓` } },
          { type: 'agent.turn.ended', data: { turnId: `t${turn}`, outcome: 'completed' } },
        ]);
        await ctx.setStatus(turn % 2 === 0 ? 'running' : 'idle');
      }
      const live = server.hub.get(session.id);
      await waitUntil(() => live.firstSeq > 1, 'compaction');
      const head = live.committedSeq;
      await a.waitForSeq(session.id, head);
      assert.deepEqual(a.violations, []);
      /** The conversation as A heard it live: what a snapshot at `seq` must hold. */
      const conversationTo = (seq: number): LogEvent[] =>
        (a.logs.get(session.id) ?? []).filter(
          (e) => e.seq <= seq && AGENT_SNAPSHOT_TYPES.has(e.type),
        );

      const snap = await joinFromStart(server.wsUrl, server.ownerToken, session.id, head);
      assert.equal(snap.reason, 'retention');
      assert.ok(snap.seq >= live.firstSeq - 1 && snap.seq <= head);
      const runner = snap.state.runner as { kind: string; events: LogEvent[] };
      assert.equal(runner.kind, 'agent');
      assert.equal(snap.state.session.id, session.id);
      assert.deepEqual(runner.events, conversationTo(snap.seq));
      assert.ok(runner.events.length >= 60 * 4, 'every turn is in it');

      // An HTTP client from the start gets the same snapshot and the events after it.
      const res = await fetch(`${server.url}/api/sessions/${session.id}/sync`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.ownerToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ after: 0 }),
      });
      assert.equal(res.status, 200);
      const sync = (await res.json()) as {
        reset: boolean;
        snapshot: Snapshot;
        events: LogEvent[];
        headSeq: number;
      };
      assert.equal(sync.reset, true);
      assert.equal(sync.snapshot.seq, snap.seq);
      assert.equal(sync.snapshot.state.session.id, session.id);
      assert.deepEqual(sync.snapshot.state.runner, snap.state.runner);
      assert.deepEqual(
        sync.events.map((e) => e.seq),
        Array.from({ length: head - snap.seq }, (_, i) => snap.seq + 1 + i),
      );
      assert.equal(sync.headSeq, head);

      // After a restart the projection is the stored checkpoint plus the events after it.
      await a.close();
      await server.close();
      server = await startTestServer(options);
      const again = server.hub.get(session.id);
      const restarted = await joinFromStart(
        server.wsUrl,
        server.ownerToken,
        session.id,
        again.committedSeq,
      );
      const after = restarted.state.runner as { kind: string; events: LogEvent[] };
      assert.equal(after.kind, 'agent');
      assert.ok(restarted.seq >= snap.seq);
      assert.deepEqual(
        after.events.filter((e) => e.seq <= head),
        conversationTo(Math.min(restarted.seq, head)),
      );
    } finally {
      await server.close();
      data.remove();
    }
  });
});
