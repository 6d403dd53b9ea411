import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerFrame, type ReceivedLogEvent } from '@baton/protocol';
import type { StoredEvent } from '../storage/store.js';
import { toCommitted } from './event-frame.js';
import { PAGE_FRAME_BYTES, replayCommitted, replayStored } from './replay-page.js';

const SID = 's_abcdefghijklmnopqrst';

/** Events as a client reads them from frames, whichever kind; fails on any other frame. */
function eventsOf(frames: readonly (string | Buffer)[]): ReceivedLogEvent[] {
  return frames.flatMap((frame) => {
    const parsed = parseServerFrame(String(frame));
    assert.ok(parsed.ok, !parsed.ok ? parsed.error.message : '');
    const m = parsed.value;
    if (m.type === 'event') return [m.event];
    assert.equal(m.type, 'events');
    return m.type === 'events' ? m.events : [];
  });
}

const stored: StoredEvent[] = [
  { seq: 7, ts: 1, type: 'terminal.output', dataJson: '{"data":"é ✓ 😀\\u0000"}' },
  {
    seq: 8,
    ts: 2,
    type: 'control.changed',
    dataJson: '{"control":{"state":"open"},"action":"release","deviceId":"d_1"}',
  },
  { seq: 9, ts: 3, type: 'agent.text', dataJson: '{"messageId":"m","text":"naïve"}' },
];

test('a page holds what the event frames hold, for every version, from the store or memory', () => {
  for (const protocolVersion of [1, 2]) {
    const single = eventsOf(replayStored({ protocolVersion }, SID, stored));
    assert.equal(single.length, 3);
    // Version 1 gets an event type added after it as an empty terminal.output, paged or not.
    assert.equal(single[1]!.type, protocolVersion === 1 ? 'terminal.output' : 'control.changed');
    const peer = { protocolVersion, eventPages: true };
    const fromStore = replayStored(peer, SID, stored);
    assert.equal(fromStore.length, 1, 'one frame');
    assert.deepEqual(eventsOf(fromStore), single);
    // From memory the events' JSON is cut out of the UTF-8 frames built for live subscribers.
    const committed = stored.map((s) => toCommitted(SID, s));
    assert.deepEqual(eventsOf(replayCommitted({ protocolVersion }, SID, committed)), single);
    assert.deepEqual(eventsOf(replayCommitted(peer, SID, committed)), single);
  }
});

test('a page is split by bytes, never inside an event, and an oversized event goes alone', () => {
  const big = 'x'.repeat(PAGE_FRAME_BYTES);
  const events: StoredEvent[] = Array.from({ length: 300 }, (_, i) => ({
    seq: i + 1,
    ts: i,
    type: 'terminal.output',
    dataJson: JSON.stringify({ data: i === 150 ? big : 'y'.repeat(1000) }),
  }));
  const peer = { protocolVersion: 2, eventPages: true };
  for (const frames of [
    replayStored(peer, SID, events),
    replayCommitted(
      peer,
      SID,
      events.map((e) => toCommitted(SID, e)),
    ),
  ]) {
    assert.ok(frames.length >= 5, `split (${frames.length} frames)`);
    assert.deepEqual(
      eventsOf(frames).map((e) => e.seq),
      events.map((e) => e.seq),
    );
    for (const frame of frames) {
      const parsed = parseServerFrame(String(frame));
      assert.ok(parsed.ok && parsed.value.type === 'events');
      const page = parsed.value;
      const bytes = Buffer.byteLength(JSON.stringify(page.events));
      assert.ok(page.events.length === 1 || bytes <= PAGE_FRAME_BYTES + 2, `${bytes} bytes`);
    }
  }
});
