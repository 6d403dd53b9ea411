import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NewLogEvent, SessionInfo } from '@baton/protocol';
import type { RunnerContext, RunnerFactory } from '../runners/runner.js';
import { idleRunnerFactory } from '../testing/idle-runner-factory.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

/**
 * A runner whose engine answers each message with whatever the message asks for, as a broken
 * agent CLI could: the message text is the JSON of the events to emit.
 */
function garbageRunnerFactory(): RunnerFactory {
  return {
    kind: 'codex',
    create: (ctx: RunnerContext) => ({
      start: () => ctx.setStatus('idle'),
      input: async (event) => {
        const text = 'text' in event.data.payload ? event.data.payload.text : '[]';
        // "__bigint__" becomes a BigInt, a value a real driver could pass through from a parser.
        const events = JSON.parse(text, (_k, v: unknown) =>
          v === '__bigint__' ? 1n : v,
        ) as NewLogEvent[];
        // The runner does not wait for its emit (as agent runners do not): a refused emit must
        // not take anything else down with it.
        ctx.emit(events).catch(() => {});
        return Promise.resolve();
      },
      interrupt: async () => {},
      resize: () => {},
      stop: async () => {},
    }),
  };
}

/**
 * Events made by runners are validated before they are stored: a runner that emits garbage fails
 * its own session, visibly, stores nothing of it, and harms no other session or client.
 */
describe('runner-made events are validated before they are stored', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let c: ProtocolClient;

  before(async () => {
    server = await startTestServer({ runners: [garbageRunnerFactory(), idleRunnerFactory()] });
    c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
  });
  after(async () => {
    await c.close();
    await server.stop();
  });

  const newSession = async (kind: 'codex' | 'claude') => {
    const { session } = await c.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind,
    });
    await c.subscribe(session.id, 0);
    return session.id;
  };

  const garbage: Record<string, unknown[]> = {
    'a wrongly typed body': [{ type: 'agent.text', data: { messageId: 5, text: null } }],
    'an unknown event type': [{ type: 'agent.plan.updated', data: { steps: [] } }],
    'a body JSON cannot hold': [
      { type: 'agent.tool.call', data: { toolCallId: 't', name: 'n', input: '__bigint__' } },
    ],
  };

  for (const [what, events] of Object.entries(garbage)) {
    test(`${what}: the session fails with the reason, nothing is stored, the server goes on`, async () => {
      const id = await newSession('codex');
      const good = await newSession('claude');
      const text = JSON.stringify([
        { type: 'agent.text', data: { messageId: 'm1', text: 'a valid event first' } },
      ]);
      await c.submit(id, `ok-${what.length}`, { kind: 'message', text });
      await waitUntil(
        () =>
          c.logs
            .get(id)
            ?.some((e) => e.type === 'agent.text' && e.data.text === 'a valid event first'),
        'the valid event',
      );
      const before = server.hub.get(id).committedSeq;
      await c.submit(id, `bad-${what.length}`, { kind: 'message', text: JSON.stringify(events) });

      const failed = await waitUntil(() => {
        const info = server.hub.get(id).info();
        return info.status === 'failed' ? info : undefined;
      }, 'the session to fail');
      assert.match(failed.reason ?? '', /runner failed/);
      const stored = await server.hub.get(id).readCommitted(before, 100);
      assert.ok(
        stored.events.every((e) => e.type === 'input' || e.type === 'session.status'),
        `nothing the runner made was stored: ${stored.events.map((e) => e.type).join(', ')}`,
      );
      // Every device sees why: the status event reached the subscriber, and every frame it got
      // was valid.
      await waitUntil(
        () =>
          c.logs.get(id)?.some((e) => e.type === 'session.status' && e.data.status === 'failed'),
        'the failed status at the subscriber',
      );
      assert.deepEqual(c.violations, []);
      // Another session on the same server is unharmed.
      const ack = await c.submit(good, `fine-${what.length}`, { kind: 'message', text: 'hi' });
      assert.equal(ack.duplicate, false);
    });
  }
});
