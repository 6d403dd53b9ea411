import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerMessage } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { scriptedRunnerFactory } from '../testing/scripted-runner-factory.js';
import { scriptedSession } from '../testing/scripted-session.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';

/** The seqs a client was sent live after `after`, frame by frame: `event` → one, `events` → many. */
function liveFrames(frames: readonly ServerMessage[], after: number): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const f of frames) {
    if (f.type === 'event' && f.event.seq > after) out.push(['event', [f.event.seq]]);
    if (f.type === 'events' && f.events[0]!.seq > after)
      out.push(['events', f.events.map((e) => e.seq)]);
  }
  return out;
}

/** Subscribes each client to the session from the start and waits until it is live. */
async function subscribeLive(
  server: Awaited<ReturnType<typeof startTestServer>>,
  sessionId: string,
  clients: readonly ProtocolClient[],
): Promise<void> {
  for (const client of clients) {
    await client.subscribe(sessionId, 0);
    await waitUntil(
      () => server.hub.get(sessionId).subscriptions.get(client.connectionId)?.state === 'live',
      'the client to turn live',
    );
  }
}

/**
 * Live pages are negotiated apart from replay pages: a connection that said `livePages: true` in
 * its hello gets the events of one commit in one `events` frame, and a lone event as an `event`
 * frame; a connection that asked for replay pages only, or for nothing, gets an `event` frame per
 * live event as before. All three end with exactly the stored log. Real server, real SQLite, raw
 * `ws` clients that apply events by the `lastSeq + 1` rule and record any gap or duplicate.
 */
test('only a client that asked for live pages gets a commit in one frame; every client gets each event once, in order', async () => {
  const scripted = scriptedRunnerFactory('claude');
  const server = await startTestServer({ runners: [scripted.factory] });
  try {
    const { writer, session, ctx, texts } = await scriptedSession(server, scripted);

    const connect = (pages: { eventPages?: boolean; livePages?: boolean }) =>
      ProtocolClient.connect(server.wsUrl, server.ownerToken, 'headless', {}, undefined, pages);
    const clients = {
      live: await connect({ eventPages: true, livePages: true }),
      replayOnly: await connect({ eventPages: true }),
      plain: await connect({}),
    };
    await subscribeLive(server, session.id, Object.values(clients));
    const before = server.hub.get(session.id).committedSeq;
    // One commit of five events (one append), then one of a single event.
    await ctx.emit(texts(5));
    await ctx.emit(texts(1));
    const head = server.hub.get(session.id).committedSeq;
    assert.equal(head, before + 6);
    for (const client of Object.values(clients)) await client.waitForSeq(session.id, head);

    const seqs = Array.from({ length: 6 }, (_, i) => before + 1 + i);
    assert.deepEqual(
      liveFrames(clients.live.frames, before),
      [
        ['events', seqs.slice(0, 5)],
        ['event', [seqs[5]!]],
      ],
      'the commit of five in one `events` frame, the lone event as an `event` frame',
    );
    for (const name of ['replayOnly', 'plain'] as const) {
      assert.deepEqual(
        liveFrames(clients[name].frames, before),
        seqs.map((s) => ['event', [s]]),
        `${name}: an \`event\` frame per live event`,
      );
    }

    const stored = await fetch(`${server.url}/api/sessions/${session.id}/events?after=0`, {
      headers: { authorization: `Bearer ${server.ownerToken}` },
    }).then((r) => r.json() as Promise<{ events: unknown[] }>);
    assert.equal(stored.events.length, head);
    for (const [name, client] of Object.entries(clients)) {
      assert.deepEqual(client.violations, [], `${name}: no gap, duplicate or invalid frame`);
      assert.deepEqual(client.logs.get(session.id), stored.events, `${name}: the stored log`);
    }
    await Promise.all([writer.close(), ...Object.values(clients).map((c) => c.close())]);
  } finally {
    await server.stop();
  }
});

/**
 * A live commit bigger than a page (PAGE_FRAME_BYTES, 64 KiB) goes as several `events` frames,
 * in order, each event in exactly one; and a version 1 connection that asked for live pages gets
 * them too, holding the events as version 1 shows them.
 */
test('a live commit over a page is split into several `events` frames, for every protocol version that asked', async () => {
  const scripted = scriptedRunnerFactory('claude');
  const server = await startTestServer({ runners: [scripted.factory] });
  try {
    const { writer, session, ctx, texts } = await scriptedSession(server, scripted);
    const connect = (version: number) =>
      ProtocolClient.connect(server.wsUrl, server.ownerToken, 'headless', {}, version, {
        eventPages: true,
        livePages: true,
      });
    const clients = { v2: await connect(2), v1: await connect(1) };
    await subscribeLive(server, session.id, Object.values(clients));
    const before = server.hub.get(session.id).committedSeq;
    // One commit of five events of 30,000 bytes: two fit in 64 KiB, a third does not.
    await ctx.emit(texts(5, 30_000));
    const head = server.hub.get(session.id).committedSeq;
    assert.equal(head, before + 5);
    for (const client of Object.values(clients)) await client.waitForSeq(session.id, head);

    const seq = (i: number) => before + i;
    const stored = await fetch(`${server.url}/api/sessions/${session.id}/events?after=0`, {
      headers: { authorization: `Bearer ${server.ownerToken}` },
    }).then((r) => r.json() as Promise<{ events: unknown[] }>);
    for (const [name, client] of Object.entries(clients)) {
      assert.deepEqual(
        liveFrames(client.frames, before),
        [
          ['events', [seq(1), seq(2)]],
          ['events', [seq(3), seq(4)]],
          ['events', [seq(5)]],
        ],
        `${name}: three pages, in order`,
      );
      assert.deepEqual(client.violations, [], `${name}: no gap, duplicate or invalid frame`);
      assert.deepEqual(client.logs.get(session.id), stored.events, `${name}: the stored log`);
    }
    await Promise.all([writer.close(), ...Object.values(clients).map((c) => c.close())]);
  } finally {
    await server.stop();
  }
});
