import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { PRESENCE_WINDOW } from '../hub/presence-broadcast.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, waitUntil } from '../testing/test-server.js';

/** What a client should hold: the window (the first attachments in attach order) and itself. */
function expected(order: readonly ProtocolClient[], self: ProtocolClient): string[] {
  const window = order.slice(0, PRESENCE_WINDOW).map((c) => c.connectionId);
  return [...new Set([...window, self.connectionId])].sort();
}

function held(client: ProtocolClient, sessionId: string): string[] {
  return (client.presence.get(sessionId) ?? []).map((a) => a.connectionId).sort();
}

test('presence is capped to the first attachments plus the receiver, with the total; a member leaving lets the next one in', async () => {
  const server = await startTestServer();
  const clients: ProtocolClient[] = [];
  try {
    const first = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    clients.push(first);
    const { session } = await first.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    });
    await first.subscribe(session.id, 0, true);
    // One at a time, so attach order is the order of this array.
    for (let i = 0; i < PRESENCE_WINDOW + 5; i++) {
      const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'headless');
      clients.push(c);
      await c.subscribe(session.id, 0, true);
    }
    const order = [...clients];
    const settled = (all: readonly ProtocolClient[], count: number) =>
      all.every(
        (c) =>
          c.presenceCount.get(session.id) === count &&
          held(c, session.id).join() === expected(order, c).join(),
      );
    await waitUntil(
      () => settled(clients, clients.length),
      'every list to be the window plus itself',
    );

    // No frame ever listed more than the window and the receiver: linear in a storm.
    for (const c of clients) {
      for (const f of c.frames) {
        if (f.type === 'presence') assert.ok(f.attached.length <= PRESENCE_WINDOW);
        if (f.type === 'presence.changed') assert.ok(f.joined.length <= PRESENCE_WINDOW + 1);
      }
    }
    // The sessions list shows the same window and the total.
    const { sessions } = await first.request<{ sessions: SessionInfo[] }>({
      type: 'sessions.watch',
    });
    const listed = sessions.find((s) => s.id === session.id)!;
    assert.equal(listed.attachedCount, clients.length);
    assert.deepEqual(
      listed.attached.map((a) => a.connectionId),
      order.slice(0, PRESENCE_WINDOW).map((c) => c.connectionId),
    );

    // A member leaves: the first attachment after the window takes its place, for everyone.
    const leaving = order[3]!;
    leaving.send({ type: 'goodbye' });
    await leaving.close();
    order.splice(3, 1);
    clients.splice(clients.indexOf(leaving), 1);
    await waitUntil(
      () => settled(clients, clients.length),
      'the next attachment to enter the window',
    );
    const promoted = order[PRESENCE_WINDOW - 1]!;
    assert.ok(held(first, session.id).includes(promoted.connectionId));

    // An attachment outside the window that changes is told about itself only.
    const outside = order[order.length - 1]!;
    await outside.subscribe(session.id, 0, false);
    await waitUntil(
      () =>
        outside.presence.get(session.id)?.find((a) => a.connectionId === outside.connectionId)
          ?.readOnly === false,
      'the outside attachment to see its own change',
    );
    assert.ok(!held(first, session.id).includes(outside.connectionId));
    await waitUntil(() => settled(clients, clients.length), 'lists to stay the window plus self');
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
});
