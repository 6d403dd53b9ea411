import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isKnownLogEvent, type LogEvent, type SessionInfo } from '@baton/protocol';
import { registerDevice } from '../testing/register-device.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

type Server = RunningServer & { stop(): Promise<void> };

async function createSession(client: ProtocolClient): Promise<SessionInfo> {
  const { session } = await client.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind: 'terminal',
    config: QUIET_TERMINAL,
  });
  return session;
}

/** Every device submits `perDevice` inputs at once; returns the acked seqs by input id. */
async function submitAll(
  clients: ProtocolClient[],
  sessionId: string,
  perDevice: number,
): Promise<Map<string, number>> {
  const acks = new Map<string, number>();
  await Promise.all(
    clients.map(async (c, d) => {
      const pending = [];
      for (let i = 0; i < perDevice; i++) {
        const id = `dev${d}-in${i}`;
        pending.push(
          c
            .submit(sessionId, id, { kind: 'terminal', data: `${d}:${i}\n` })
            .then((a) => acks.set(id, a.seq)),
        );
      }
      await Promise.all(pending);
    }),
  );
  return acks;
}

function assertIdenticalGapFree(
  clients: ProtocolClient[],
  sessionId: string,
  headSeq: number,
  acks: Map<string, number>,
): void {
  const reference = clients[0]!.logs.get(sessionId)!;
  assert.equal(reference.length, headSeq, 'the log has every event');
  reference.forEach((e, i) => assert.equal(e.seq, i + 1, 'sequence numbers are gap-free'));
  for (const c of clients) {
    assert.deepEqual(c.violations, [], 'no gap, duplicate or invalid frame');
    assert.deepEqual(c.logs.get(sessionId), reference, 'every client has the identical log');
  }
  const inputs = reference.filter((e): e is LogEvent & { type: 'input' } => e.type === 'input');
  const ids = inputs.map((e) => e.data.inputId);
  assert.equal(new Set(ids).size, ids.length, 'no input appears twice');
  for (const [id, seq] of acks) {
    const found = inputs.find((e) => e.data.inputId === id);
    assert.ok(found, `acknowledged input ${id} is in the log`);
    assert.equal(found.seq, seq, `input ${id} is at its acknowledged seq`);
  }
}

describe('many devices on one server', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  test('10 devices on 1 session submitting at once end with the identical, gap-free log', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 10 }, (_, i) => registerDevice(server, `device ${i}`)),
    );
    const clients = await Promise.all(tokens.map((t) => ProtocolClient.connect(server.wsUrl, t)));
    const session = await createSession(clients[0]!);
    await Promise.all(clients.map((c) => c.subscribe(session.id, 0)));
    const acks = await submitAll(clients, session.id, 20);
    assert.equal(acks.size, 200);
    const head = Math.max(...acks.values());
    await Promise.all(clients.map((c) => c.waitForSeq(session.id, head)));
    assertIdenticalGapFree(clients, session.id, head, acks);
    await Promise.all(clients.map((c) => c.close()));
  });

  test('100 devices on 10 sessions submitting at once: each session has one identical log everywhere', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 100 }, (_, i) => registerDevice(server, `phone ${i}`)),
    );
    const clients = await Promise.all(tokens.map((t) => ProtocolClient.connect(server.wsUrl, t)));
    const sessions = await Promise.all(
      Array.from({ length: 10 }, () => createSession(clients[0]!)),
    );
    const groups = sessions.map((s, i) => ({
      session: s,
      members: clients.slice(i * 10, i * 10 + 10),
    }));
    await Promise.all(groups.flatMap((g) => g.members.map((c) => c.subscribe(g.session.id, 0))));
    const results = await Promise.all(groups.map((g) => submitAll(g.members, g.session.id, 5)));
    for (const [i, g] of groups.entries()) {
      const acks = results[i]!;
      const head = Math.max(...acks.values());
      await Promise.all(g.members.map((c) => c.waitForSeq(g.session.id, head)));
      assertIdenticalGapFree(g.members, g.session.id, head, acks);
    }
    await Promise.all(clients.map((c) => c.close()));
  });

  test('a retried input is stored once, also when two connections of one device race', async () => {
    const token = await registerDevice(server, 'laptop');
    const a = await ProtocolClient.connect(server.wsUrl, token, 'tab');
    const b = await ProtocolClient.connect(server.wsUrl, token, 'sidepanel');
    const session = await createSession(a);
    await a.subscribe(session.id, 0);
    const payload = { kind: 'terminal', data: 'once\n' } as const;
    const [x, y] = await Promise.all([
      a.submit(session.id, 'same-id', payload),
      b.submit(session.id, 'same-id', payload),
    ]);
    assert.equal(x.seq, y.seq, 'both racers get the same seq');
    assert.equal(
      [x.duplicate, y.duplicate].filter(Boolean).length,
      1,
      'exactly one is the original',
    );
    const retry = await a.submit(session.id, 'same-id', payload);
    assert.deepEqual(retry, { seq: x.seq, duplicate: true });
    const next = await a.submit(session.id, 'other-id', payload);
    await a.waitForSeq(session.id, next.seq);
    // A duplicate that burned a number would leave a gap, or a second stored copy. The terminal may
    // echo input typed before its `stty -echo` ran, so output can sit between the two inputs.
    assert.deepEqual(a.violations, [], 'the log has no gap');
    const inputs = a.logs.get(session.id)!.filter((e) => e.type === 'input');
    assert.deepEqual(
      inputs.map((e) => e.seq),
      [x.seq, next.seq],
    );
    await Promise.all([a.close(), b.close()]);
  });

  test('stop from another device: every connection sees the session stop', async () => {
    const [ta, tb] = await Promise.all([
      registerDevice(server, 'desk'),
      registerDevice(server, 'phone'),
    ]);
    const a = await ProtocolClient.connect(server.wsUrl, ta, 'tab');
    const b = await ProtocolClient.connect(server.wsUrl, tb, 'mobile');
    const watcher = await ProtocolClient.connect(server.wsUrl, tb, 'tab');
    await watcher.request({ type: 'sessions.watch' });
    const session = await createSession(a);
    await a.subscribe(session.id, 0);
    const stopped = await b.request<{ session: SessionInfo }>({
      type: 'session.stop',
      sessionId: session.id,
    });
    assert.equal(stopped.session.status, 'exited');
    await a.waitFor(
      (f) =>
        f.type === 'event' &&
        isKnownLogEvent(f.event) &&
        f.event.type === 'session.status' &&
        f.event.data.status === 'exited',
    );
    await watcher.waitFor(
      (f) =>
        f.type === 'sessions.changed' &&
        f.change === 'upsert' &&
        f.session.id === session.id &&
        f.session.status === 'exited',
    );
    await assert.rejects(
      a.submit(session.id, 'late', { kind: 'terminal', data: 'x' }),
      /session_not_running/,
    );
    await Promise.all([a.close(), b.close(), watcher.close()]);
  });

  test('the sessions list updates on a connection that is attached to a different session', async () => {
    const a = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    const b = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    const first = await createSession(a);
    await b.request({ type: 'sessions.watch' });
    await b.subscribe(first.id, 0);
    const second = await createSession(a);
    await b.waitFor(
      (f) => f.type === 'sessions.changed' && f.change === 'upsert' && f.session.id === second.id,
    );
    await a.request({ type: 'session.rename', sessionId: second.id, name: 'renamed' });
    await b.waitFor(
      (f) => f.type === 'sessions.changed' && f.change === 'upsert' && f.session.name === 'renamed',
    );
    await a.request({ type: 'session.delete', sessionId: second.id });
    await b.waitFor(
      (f) => f.type === 'sessions.changed' && f.change === 'remove' && f.sessionId === second.id,
    );
    await Promise.all([a.close(), b.close()]);
  });
});
