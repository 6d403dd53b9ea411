import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { heldTurnAgent } from '../testing/held-turn-agent.js';
import { registerDevice } from '../testing/register-device.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';

type TurnEnded = Extract<LogEvent, { type: 'agent.turn.ended' }>;

const turnEnds = (client: ProtocolClient, sessionId: string): TurnEnded[] =>
  (client.logs.get(sessionId) ?? []).filter((e): e is TurnEnded => e.type === 'agent.turn.ended');

/**
 * A client's frames are handled concurrently, so a Stop sent right after a message used to
 * reach the agent before the message did: it found no turn and was lost (or, before the agent's
 * first process, was refused with `session_not_running`), and the turn the message started ran
 * to its end. Here both frames leave in one go, as from a hand quick on Send and Stop.
 */
describe('a Stop sent right after a message', () => {
  const agent = heldTurnAgent();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const clients: ProtocolClient[] = [];

  before(async () => {
    server = await startTestServer({ runners: [agent.factory] });
  });
  after(async () => {
    for (const c of clients) c.ws.close();
    await server?.stop();
  });

  const sendThenStop = async (client: ProtocolClient, sessionId: string, inputId: string) => {
    const sent = client.submit(sessionId, inputId, { kind: 'message', text: inputId });
    const stopped = client.request({ type: 'interrupt', sessionId });
    await sent;
    assert.deepEqual(await stopped, {}, 'the Stop is answered, not refused');
  };

  test("stops the turn that message starts, from the session's first message on", async () => {
    const phone = await ProtocolClient.connect(
      server.wsUrl,
      await registerDevice(server, 'phone'),
      'tab',
    );
    const laptop = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    clients.push(phone, laptop);
    const { session } = await laptop.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
    });
    await phone.subscribe(session.id, 0);
    await laptop.subscribe(session.id, 0);

    // The first message starts the agent's process; the Stop waits for it.
    await sendThenStop(phone, session.id, 'first');
    await waitUntil(() => turnEnds(laptop, session.id).length === 1, 'the first turn to end');

    // A turn that runs to its end, then the same race with the process running.
    const sentBefore = agent.turns.length;
    await laptop.submit(session.id, 'between', { kind: 'message', text: 'between' });
    await waitUntil(() => agent.turns.length > sentBefore, 'the agent to be sent "between"');
    assert.ok(agent.endTurn());
    await waitUntil(() => turnEnds(laptop, session.id).length === 2, 'the second turn to end');
    await sendThenStop(phone, session.id, 'second');
    await waitUntil(() => turnEnds(laptop, session.id).length === 3, 'the third turn to end');

    const ends = turnEnds(laptop, session.id);
    assert.deepEqual(
      ends.map((e) => [e.data.outcome, e.data.stoppedBy]),
      [
        ['interrupted', phone.deviceId],
        ['completed', undefined],
        ['interrupted', phone.deviceId],
      ],
    );
    assert.deepEqual(turnEnds(phone, session.id), ends, 'every device sees the same');
  });
});
