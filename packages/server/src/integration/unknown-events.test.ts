import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  ReplyResult,
  isKnownLogEvent,
  type NewLogEvent,
  type SessionInfo,
} from '@baton/protocol';
import { idleRunnerFactory } from '../testing/idle-runner-factory.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

/**
 * A newer server adds an event type. Clients built before it skip the event and keep going: the
 * protocol package parses it as an unknown event, a client that follows the documented rules
 * advances past its `seq`, and replay, live delivery and fetch all carry it like any event.
 * The unknown event is written the way a newer server's own code would: through the log writer.
 */
describe('an event type the client does not know', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let sessionId: string;
  let owner: ProtocolClient;
  const future = { type: 'agent.plan.updated', data: { steps: ['read', 'write'] } };

  before(async () => {
    server = await startTestServer({ runners: [idleRunnerFactory('claude')] });
    owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    ({
      session: { id: sessionId },
    } = await owner.request<{ session: SessionInfo }>({ type: 'session.create', kind: 'claude' }));
  });
  after(async () => {
    await owner.close();
    await server.stop();
  });

  /** Appends the future event, then a known one; returns the seq of each. */
  async function appendFutureThenKnown(name: string): Promise<[number, number]> {
    const session = server.hub.get(sessionId);
    const [unknown] = await server.hub.writer.append(session.logState, [
      future as unknown as NewLogEvent,
    ]);
    const { session: info } = await owner.request<{ session: SessionInfo }>({
      type: 'session.rename',
      sessionId,
      name,
    });
    return [unknown!.seq, info.headSeq];
  }

  test('live and replayed, it is passed over by its seq and what follows is applied', async () => {
    const live = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    await live.subscribe(sessionId, 0);
    const [unknownSeq, knownSeq] = await appendFutureThenKnown('after the future event');
    await live.waitForSeq(sessionId, knownSeq);
    assert.deepEqual(live.violations, [], 'no gap, no invalid frame');
    assert.deepEqual(
      live.skipped.map((e) => [e.seq, e.type]),
      [[unknownSeq, future.type]],
    );
    const renamed = live.logs.get(sessionId)!.at(-1)!;
    assert.equal(renamed.type, 'session.renamed');

    // A client that joins later gets the same through replay.
    const late = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    await late.subscribe(sessionId, 0);
    await late.waitForSeq(sessionId, knownSeq);
    assert.deepEqual(late.violations, []);
    assert.equal(late.skipped.length, 1);
    await Promise.all([live.close(), late.close()]);
  });

  test('a fetch that fills a gap carries it, and the reply still parses', async () => {
    const [unknownSeq] = await appendFutureThenKnown('fetched');
    const result = await owner.request({ type: 'fetch', sessionId, afterSeq: unknownSeq - 1 });
    const parsed = ReplyResult.fetch.parse(result);
    assert.equal(parsed.events[0]!.seq, unknownSeq);
    assert.equal(isKnownLogEvent(parsed.events[0]!), false);
    assert.equal(isKnownLogEvent(parsed.events[1]!), true);
  });

  test('a raw client written from docs/protocol.md alone keeps going', async () => {
    // JSON.parse and the rules of section 6 only: no baton code.
    const ws = new WebSocket(server.wsUrl);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(
      JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, token: server.ownerToken, mode: 'cli' }),
    );
    ws.send(JSON.stringify({ type: 'subscribe', rid: 1, sessionId, afterSeq: 0 }));
    let lastSeq = 0;
    const known = new Set(['session.created', 'session.renamed', 'session.status']);
    const applied: string[] = [];
    const skipped: string[] = [];
    let seen = 0;
    const apply = () => {
      for (; seen < frames.length; seen++) {
        const f = frames[seen]!;
        if (f['type'] !== 'event') continue;
        const e = f['event'] as { seq: number; type: string };
        if (e.seq <= lastSeq) continue;
        assert.equal(e.seq, lastSeq + 1, 'events arrive without a gap');
        lastSeq = e.seq;
        (known.has(e.type) ? applied : skipped).push(e.type);
      }
    };
    const [, knownSeq] = await appendFutureThenKnown('seen by a raw client');
    await waitUntil(() => {
      apply();
      return lastSeq >= knownSeq;
    }, 'the raw client to reach the head');
    assert.ok(skipped.includes(future.type));
    assert.equal(applied.at(-1), 'session.renamed');
    ws.close();
  });
});
