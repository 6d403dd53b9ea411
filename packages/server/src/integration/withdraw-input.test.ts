import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { heldTurnAgent } from '../testing/held-turn-agent.js';
import { registerDevice } from '../testing/register-device.js';
import { ProtocolClient, refusal } from '../testing/protocol-client.js';
import { spawnServerProcess } from '../testing/server-process.js';
import { startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

type Server = RunningServer & { stop(): Promise<void> };

const message = (text: string) => ({ kind: 'message' as const, text });

function withdrawn(client: ProtocolClient, sessionId: string, inputId: string): LogEvent[] {
  return (client.logs.get(sessionId) ?? []).filter(
    (e) => e.type === 'input.withdrawn' && e.data.inputId === inputId,
  );
}

function delivered(client: ProtocolClient, sessionId: string, inputId: string): boolean {
  return (client.logs.get(sessionId) ?? []).some(
    (e) => e.type === 'input.delivered' && e.data.inputId === inputId,
  );
}

const withdraw = (client: ProtocolClient, sessionId: string, inputId: string) =>
  client.request<{ seq: number; duplicate: boolean }>({
    type: 'input.withdraw',
    sessionId,
    inputId,
  });

// Issue 11, "one composer": a queued message can be cancelled before it runs.
describe('withdrawing a queued message', () => {
  const agent = heldTurnAgent();
  let server: Server;
  let laptopToken: string;
  const clients: ProtocolClient[] = [];
  const connect = async (token: string) => {
    const c = await ProtocolClient.connect(server.wsUrl, token, 'tab');
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startTestServer({ runners: [agent.factory] });
    laptopToken = await registerDevice(server, 'laptop');
  });
  after(async () => {
    for (const c of clients) c.ws.close();
    await server?.stop();
  });

  test('a withdrawn message never reaches the agent; every device sees it withdrawn', async () => {
    const phone = await connect(server.ownerToken);
    const laptop = await connect(laptopToken);
    const { session } = await phone.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
    });
    await phone.subscribe(session.id, 0);
    await laptop.subscribe(session.id, 0);

    await phone.submit(session.id, 'm1', message('first'));
    await waitUntil(() => delivered(phone, session.id, 'm1'), 'the first turn to take m1');
    await phone.submit(session.id, 'm2', message('second'));
    await phone.submit(session.id, 'm3', message('third'));

    const first = await withdraw(phone, session.id, 'm2');
    assert.equal(first.duplicate, false);
    for (const c of [phone, laptop]) {
      await waitUntil(() => withdrawn(c, session.id, 'm2').length === 1, 'the withdrawal event');
      assert.equal(withdrawn(c, session.id, 'm2')[0]!.seq, first.seq);
    }
    assert.deepEqual(
      await withdraw(phone, session.id, 'm2'),
      { seq: first.seq, duplicate: true },
      'withdrawing twice answers the same',
    );
    assert.equal(
      await refusal(withdraw(laptop, session.id, 'm3')),
      'not_found',
      "another device cannot withdraw the phone's message",
    );
    assert.equal(await refusal(withdraw(phone, session.id, 'm1')), 'already_started');

    assert.ok(agent.endTurn());
    await waitUntil(() => delivered(phone, session.id, 'm3'), 'the next turn to take m3');
    assert.deepEqual(agent.turns, [['first'], ['third']], 'the agent never received "second"');
    assert.equal(await refusal(withdraw(phone, session.id, 'm3')), 'already_started');
    assert.equal(withdrawn(laptop, session.id, 'm2').length, 1, 'one withdrawal event in all');
    assert.equal(delivered(laptop, session.id, 'm2'), false);
    agent.endTurn();
  });

  test('over HTTP: the same rules and answers', async () => {
    const phone = await connect(server.ownerToken);
    const { session } = await phone.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
    });
    await phone.subscribe(session.id, 0);
    await phone.submit(session.id, 'h1', message('one'));
    await waitUntil(() => delivered(phone, session.id, 'h1'), 'the turn to take h1');
    await phone.submit(session.id, 'h2', message('two'));
    const post = (inputId: string, token = server.ownerToken) =>
      fetch(`${server.url}/api/sessions/${session.id}/inputs/${inputId}/withdraw`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    const res = await post('h2');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { seq: number; duplicate: boolean };
    assert.equal(body.duplicate, false);
    assert.deepEqual(await (await post('h2')).json(), { seq: body.seq, duplicate: true });
    assert.equal((await post('h1')).status, 409, 'already_started');
    assert.equal((await post('h2', laptopToken)).status, 404, "another device's input");
    assert.equal((await post('bad%20id')).status, 400);
    agent.endTurn();
  });
});

/**
 * A server on `dataDir` with a held agent, ended in one of two ways: closed (it checkpoints the
 * conversation first) or killed with SIGKILL in its own process (nothing of its shutdown runs,
 * so the next start reads the withdrawal from the stored events alone).
 */
async function firstServer(
  how: 'closed' | 'killed',
  dataDir: string,
): Promise<{ wsUrl: string; ownerToken: string; end(): Promise<void> }> {
  if (how === 'killed') {
    const child = await spawnServerProcess(dataDir, 0, ['--agent', 'held']);
    return { wsUrl: child.wsUrl, ownerToken: child.ownerToken, end: () => child.kill9() };
  }
  const server = await startTestServer({ dataDir, runners: [heldTurnAgent().factory] });
  return { wsUrl: server.wsUrl, ownerToken: server.ownerToken, end: () => server.close() };
}

for (const how of ['closed', 'killed'] as const) {
  describe(`withdrawing across a restart (the first server ${how})`, () => {
    test('a message withdrawn before the restart stays withdrawn; one taken after it cannot be', async () => {
      const data = tempDataDir();
      const first = await firstServer(how, data.dir);
      let client = await ProtocolClient.connect(first.wsUrl, first.ownerToken, 'tab');
      let server: Server | undefined;
      try {
        const { session } = await client.request<{ session: SessionInfo }>({
          type: 'session.create',
          kind: 'claude',
        });
        await client.subscribe(session.id, 0);
        await client.submit(session.id, 'r1', message('first'));
        await waitUntil(() => delivered(client, session.id, 'r1'), 'the turn to take r1');
        await client.submit(session.id, 'r2', message('withdrawn'));
        await client.submit(session.id, 'r3', message('kept'));
        const withdrawal = await withdraw(client, session.id, 'r2');
        client.ws.close();
        await first.end();

        // The restarted server runs what no turn answered yet, at once: r3 but never r2.
        const afterRestart = heldTurnAgent();
        server = await startTestServer({ dataDir: data.dir, runners: [afterRestart.factory] });
        client = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
        await client.subscribe(session.id, 0);
        await waitUntil(
          () => delivered(client, session.id, 'r3'),
          'the restarted runner to take r3',
        );
        assert.deepEqual(afterRestart.turns, [['kept']]);
        assert.deepEqual(await withdraw(client, session.id, 'r2'), {
          seq: withdrawal.seq,
          duplicate: true,
        });
        assert.equal(await refusal(withdraw(client, session.id, 'r3')), 'already_started');
        assert.equal(delivered(client, session.id, 'r2'), false);
        afterRestart.endTurn();
      } finally {
        client.ws.close();
        await server?.close();
        data.remove();
      }
    });
  });
}
