import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { BatonClient, type WebSocketConstructor } from '@baton/client';
import type { NewLogEvent, SessionId } from '@baton/protocol';
import { startTestServer, waitUntil } from '@baton/server/testing';
import { placeholderSnapshot, sessionSubscription } from './session-subscription.js';

/** Integration: real server, real WebSockets, real SQLite; only the agent is a stand-in. */

const EVENTS = 2000;

async function client(url: string, token: string): Promise<BatonClient> {
  const c = new BatonClient({
    url,
    token,
    mode: 'headless',
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    retention: { agent: { events: 10_000, chars: 64 * 1024 * 1024 } },
  });
  c.connect();
  await c.whenConnected(10_000);
  return c;
}

test('a replay that catches up is drawn about once per frame, live events at once', async (t) => {
  const server = await startTestServer({
    runners: [
      {
        kind: 'claude',
        create: (ctx) => ({
          start: async () => {
            await ctx.setStatus('idle');
          },
          // Answers every message with EVENTS stored texts.
          input: async (event) => {
            const texts: NewLogEvent[] = Array.from({ length: EVENTS }, (_, i) => ({
              type: 'agent.text',
              data: { messageId: `${event.seq}-${i}`, text: `line ${i}` },
            }));
            await ctx.emit(texts);
          },
          answerPermission: async () => {},
          interrupt: async () => {},
          resize: () => {},
          stop: async () => {},
        }),
      },
    ],
  });
  t.after(() => server.stop());
  const url = `ws://127.0.0.1:${server.port}/v1/ws`;
  const writer = await client(url, server.ownerToken);
  t.after(() => writer.close());
  const session = await writer.createSession({ kind: 'claude', name: 'long' });
  writer.send(session.id, { kind: 'message', text: 'go' });
  const writerStore = writer.subscribe(session.id);
  await waitUntil(() => writerStore.lastSeq >= EVENTS + 1, 'the whole answer stored', 30_000);
  const head = writerStore.lastSeq;

  // A new window opens the session through the hooks' subscription and replays it all.
  const reader = await client(url, server.ownerToken);
  t.after(() => reader.close());
  const subscription = sessionSubscription(
    reader,
    session.id,
    false,
    placeholderSnapshot(session.id, false),
  );
  let renders = 0;
  let drawnBeforeNextListener = false;
  const off = subscription.subscribe(() => {
    renders++;
    drawnBeforeNextListener = true;
  });
  t.after(off);
  const store = reader.session(session.id as SessionId)!;
  // Registered after the hooks' listener, so it runs after it for every change.
  const liveChanges: boolean[] = [];
  store.subscribe(() => {
    if (!store.catchingUp && store.lastSeq > head) liveChanges.push(drawnBeforeNextListener);
    drawnBeforeNextListener = false;
  });
  await waitUntil(
    () => subscription.getSnapshot().lastSeq === head && !store.catchingUp,
    'the replay caught up',
    30_000,
  );
  const replayRenders = renders;
  // One notification per event would be thousands; a few per frame-or-50-ms is what is wanted.
  assert.ok(replayRenders < EVENTS / 20, `${replayRenders} renders for a replay of ${head} events`);
  assert.equal(subscription.getSnapshot().events.length, head, 'every event, once');
  assert.deepEqual(
    subscription.getSnapshot().events.map((e) => e.seq),
    Array.from({ length: head }, (_, i) => i + 1),
    'in order',
  );

  // Once caught up, each live change reaches React at once, before the store's next listener.
  writer.send(session.id, { kind: 'message', text: 'again' });
  await waitUntil(() => store.lastSeq >= head + EVENTS + 1, 'the live answer', 30_000);
  assert.ok(liveChanges.length > 0);
  assert.ok(
    liveChanges.every((drawn) => drawn),
    `every live change drawn at once: ${liveChanges.filter((d) => !d).length} were not`,
  );
});
