import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAGE_FRAME_BYTES } from '../hub/replay-page.js';
import type { Store } from '../storage/store.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { scriptedRunnerFactory } from '../testing/scripted-runner-factory.js';
import { scriptedSession } from '../testing/scripted-session.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';

/**
 * Replay pages are negotiated: a connection that said `eventPages: true` in its hello is caught
 * up with `events` frames, every other connection with one `event` frame per event, and both end
 * with exactly the stored log. Real server, real SQLite, raw `ws` clients that apply events by the
 * `lastSeq + 1` rule and record any gap or duplicate.
 */
test('only a client that asked gets replay pages; both get every event once, in order, after a reconnect', async () => {
  const scripted = scriptedRunnerFactory('claude');
  const server = await startTestServer({ runners: [scripted.factory] });
  try {
    const { writer, session, ctx, texts } = await scriptedSession(server, scripted);

    const connect = (eventPages: boolean) =>
      ProtocolClient.connect(server.wsUrl, server.ownerToken, 'headless', {}, undefined, {
        eventPages,
      });
    const paged = await connect(true);
    const plain = await connect(false);
    await paged.subscribe(session.id, 0);
    await plain.subscribe(session.id, 0);
    await waitUntil(
      () => server.hub.get(session.id).subscriptions.get(paged.connectionId)?.state === 'live',
      'the paged client to turn live',
    );
    await ctx.emit(texts(5));
    const seen = server.hub.get(session.id).committedSeq;
    await paged.waitForSeq(session.id, seen);
    await plain.waitForSeq(session.id, seen);
    // Live events stay `event` frames, for both.
    const liveFrames = paged.frames.filter((f) => f.type === 'event' && f.event.seq > seen - 5);
    assert.equal(liveFrames.length, 5, 'live events as `event` frames');
    const kept = { paged: paged.logs.get(session.id)!, plain: plain.logs.get(session.id)! };
    paged.terminate();
    plain.terminate();

    // While they are away: more than the recent frames a session keeps (RecentFrames: 2,048
    // events, 512 KiB), so the catch-up reads store pages of 500 first and ends from memory;
    // each page leaves as several `events` frames (PAGE_FRAME_BYTES), and a few events larger
    // than a frame's share go alone.
    for (let i = 0; i < 24; i++) await ctx.emit(texts(100));
    await ctx.emit(texts(3, 400 * 1024));
    for (let i = 0; i < 6; i++) await ctx.emit(texts(100));
    const head = server.hub.get(session.id).committedSeq;
    assert.equal(head, seen + 3003);

    const store = (server.hub as unknown as { opts: { store: Store } }).opts.store;
    const readEvents = store.readEvents.bind(store);
    let reads = 0;
    store.readEvents = (...args) => {
      reads++;
      return readEvents(...args);
    };
    const back = { paged: await connect(true), plain: await connect(false) };
    for (const [name, client] of Object.entries(back) as [keyof typeof back, ProtocolClient][]) {
      client.logs.set(session.id, [...kept[name]]);
      client.lastSeq.set(session.id, seen);
      await client.subscribe(session.id, seen);
    }
    await back.paged.waitForSeq(session.id, head, 30_000);
    await back.plain.waitForSeq(session.id, head, 30_000);
    store.readEvents = readEvents;
    assert.ok(reads >= 2, 'the catch-up read the store');

    const stored = await fetch(
      `${server.url}/api/sessions/${session.id}/events?after=0&limit=5000`,
      { headers: { authorization: `Bearer ${server.ownerToken}` } },
    ).then((r) => r.json() as Promise<{ events: unknown[] }>);
    assert.equal(stored.events.length, head);
    for (const [name, client] of Object.entries(back)) {
      assert.deepEqual(client.violations, [], `${name}: no gap, duplicate or invalid frame`);
      assert.deepEqual(client.logs.get(session.id), stored.events, `${name}: the stored log`);
    }

    const pages = back.paged.frames.flatMap((f) => (f.type === 'events' ? [f] : []));
    assert.equal(
      back.paged.frames.filter((f) => f.type === 'event').length,
      0,
      'the client that asked was caught up with pages only',
    );
    assert.equal(
      pages.reduce((sum, p) => sum + p.events.length, 0),
      head - seen,
      'each missed event in exactly one page',
    );
    assert.ok(
      pages.every((p) => p.sessionId === session.id && p.events.length <= 500),
      'at most one store page per frame',
    );
    assert.ok(
      pages.every(
        (p) => p.events.length === 1 || JSON.stringify(p.events).length <= PAGE_FRAME_BYTES + 2,
      ),
      'a frame holds about PAGE_FRAME_BYTES of events, or one larger event',
    );
    assert.ok(pages.length >= 8, `several pages (${pages.length}), split by bytes too`);
    assert.equal(back.plain.frames.filter((f) => f.type === 'events').length, 0, 'no page unasked');
    assert.equal(back.plain.frames.filter((f) => f.type === 'event').length, head - seen);
    await Promise.all([writer.close(), back.paged.close(), back.plain.close()]);
  } finally {
    await server.stop();
  }
});
