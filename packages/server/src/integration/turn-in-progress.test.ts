import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerMessage, SessionInfo, StreamMessage } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { scriptedRunnerFactory } from '../testing/scripted-runner-factory.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';

/** The text a client holds for `messageId`, applying `stream` frames by their offsets. */
function streamedText(client: ProtocolClient, messageId: string): string {
  let text = '';
  for (const f of client.frames) {
    if (f.type !== 'stream' || f.messageId !== messageId) continue;
    text = text.slice(0, f.offset ?? text.length) + f.delta;
  }
  return text;
}

const streams = (client: ProtocolClient): StreamMessage[] =>
  client.frames.filter((f): f is StreamMessage => f.type === 'stream');

/** The latest list entry of `sessionId` this client heard of through `sessions.changed`. */
function listed(client: ProtocolClient, sessionId: string): SessionInfo | undefined {
  let info: SessionInfo | undefined;
  for (const f of client.frames as ServerMessage[]) {
    if (f.type === 'sessions.changed' && f.change === 'upsert' && f.session.id === sessionId)
      info = f.session;
  }
  return info;
}

// Issue 11, bug 1 and "needs you": the turn in progress is state a joiner receives, and the
// sessions list says when a session waits for a person and what it said last.
describe('the turn in progress and the session summary', () => {
  const scripted = scriptedRunnerFactory('claude');
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const clients: ProtocolClient[] = [];
  const connect = async () => {
    const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startTestServer({ runners: [scripted.factory] });
  });
  after(async () => {
    for (const c of clients) c.ws.close();
    await server?.stop();
  });

  test('a joiner mid-reply receives the text streamed so far, then the rest, once', async () => {
    const a = await connect();
    const { session } = await a.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
      name: 'streaming',
    });
    await a.subscribe(session.id, 0);
    await a.submit(session.id, 'm1', { kind: 'message', text: 'tell me' });
    await waitUntil(() => scripted.contexts.has(session.id), 'the runner to start');
    const ctx = scripted.contexts.get(session.id)!;
    await ctx.emit([{ type: 'agent.turn.started', data: { turnId: 't1', inputIds: ['m1'] } }]);
    ctx.stream('msg1', 'text', 'Hello, ');
    ctx.stream('msg1', 'text', 'wor');
    await waitUntil(() => streamedText(a, 'msg1') === 'Hello, wor', 'A to hold both fragments');

    const c = await connect();
    await c.subscribe(session.id, 0);
    await waitUntil(() => streamedText(c, 'msg1') === 'Hello, wor', 'C to hold the text so far');
    assert.deepEqual(
      streams(c).map((f) => [f.delta, f.offset]),
      [['Hello, wor', 0]],
      'one catch-up frame from offset 0',
    );

    ctx.stream('msg1', 'text', 'ld');
    await waitUntil(
      () => [a, c].every((x) => streamedText(x, 'msg1') === 'Hello, world'),
      'both to hold the whole text',
    );
    const [text] = await ctx.emit([
      { type: 'agent.text', data: { messageId: 'msg1', text: 'Hello, world' } },
    ]);
    await c.waitForSeq(session.id, text!.seq);

    // Once the final text is committed it is part of the log, and no longer streamed to joiners.
    const d = await connect();
    await d.subscribe(session.id, 0);
    await d.waitForSeq(session.id, text!.seq);
    assert.deepEqual(streams(d), [], 'a later joiner gets the event, not the fragments');
    for (const x of [a, c, d]) assert.deepEqual(x.violations, []);
  });

  test('attention is set while a prompt waits, by kind, cleared when answered; preview follows the last line', async () => {
    const a = await connect();
    const { session } = await a.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
      name: 'needs you',
    });
    await a.request({ type: 'sessions.watch' });
    await a.subscribe(session.id, 0);
    await a.submit(session.id, 'q1', { kind: 'message', text: 'first line\n  plan the work  ' });
    await waitUntil(() => scripted.contexts.has(session.id), 'the runner to start');
    await waitUntil(
      () => listed(a, session.id)?.preview === 'plan the work',
      'the preview of the message',
    );
    const ctx = scripted.contexts.get(session.id)!;
    assert.equal(listed(a, session.id)?.attention, undefined);

    const [asked] = await ctx
      .emit([
        { type: 'agent.turn.started', data: { turnId: 't1', inputIds: ['q1'] } },
        {
          type: 'agent.permission.requested',
          data: { requestId: 'r1', toolName: 'ExitPlanMode', input: { plan: 'x' } },
        },
      ])
      .then((events) => events.slice(1));
    await waitUntil(
      () => listed(a, session.id)?.attention !== undefined,
      'the plan approval to show',
    );
    assert.deepEqual(listed(a, session.id)?.attention, { kind: 'plan', since: asked!.ts });

    await ctx.emit([
      {
        type: 'agent.permission.resolved',
        data: { requestId: 'r1', resolution: { decision: 'allow' }, deviceId: a.deviceId },
      },
      {
        type: 'agent.permission.requested',
        data: { requestId: 'r2', toolName: 'AskUserQuestion', input: {} },
      },
    ]);
    await waitUntil(
      () => listed(a, session.id)?.attention?.kind === 'question',
      'the question to show',
    );

    await ctx.emit([
      { type: 'agent.text', data: { messageId: 'm', text: `${'long '.repeat(40)}\n\n` } },
      { type: 'agent.turn.ended', data: { turnId: 't1', outcome: 'completed' } },
    ]);
    await waitUntil(() => listed(a, session.id)?.attention === undefined, 'attention to clear');
    const preview = listed(a, session.id)?.preview ?? '';
    assert.equal(preview.length, 120);
    assert.match(preview, /^long long .*…$/);
  });
});
