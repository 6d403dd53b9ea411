import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../storage/store.js';
import { CommitFrames } from './commit-frames.js';
import { toCommitted, type CommittedEvent } from './event-frame.js';
import type { EncodedFrames, Peer } from './peer.js';
import { LAG_HIGH_WATER_BYTES, Subscription } from './subscription.js';

/** A peer that records what it was handed, standing in for a connection in this unit test. */
function recordingPeer(protocolVersion = 2, buffered = 0) {
  const sent: (string | Buffer)[] = [];
  const batches: { frames: readonly (string | Buffer)[]; shared?: EncodedFrames }[] = [];
  const peer: Peer = {
    connectionId: `c${Math.random()}`,
    deviceId: 'd1',
    deviceName: 'd1',
    mode: 'headless',
    protocolVersion,
    send: (frame) => sent.push(frame),
    sendFrames: (frames, shared) => {
      batches.push(shared === undefined ? { frames } : { frames, shared });
    },
    bufferedAmount: () => buffered,
    drained: () => Promise.resolve(),
    closed: false,
    fail: () => undefined,
  };
  return { peer, sent, batches };
}

const event = (seq: number, type = 'terminal.output', dataJson = '{"data":"x"}'): CommittedEvent =>
  toCommitted('s1', { seq, ts: 1, type, dataJson } as StoredEvent);

function liveAt(peer: Peer, nextSeq: number): Subscription {
  const sub = new Subscription(peer, false, nextSeq - 1, 0);
  sub.state = 'live';
  return sub;
}

test("a commit's events reach every live subscriber as one batch, its encoding shared", () => {
  const batch = new CommitFrames([event(4), event(5), event(6)], 's1');
  const a = recordingPeer();
  const b = recordingPeer();
  const subA = liveAt(a.peer, 4);
  const subB = liveAt(b.peer, 4);
  assert.equal(subA.offerAll(batch), true);
  assert.equal(subB.offerAll(batch), true);
  assert.equal(a.sent.length + b.sent.length, 0, 'no frame sent on its own');
  assert.equal(a.batches.length, 1);
  assert.equal(b.batches.length, 1);
  assert.deepEqual(
    a.batches[0]!.frames,
    batch.events.map((e) => e.frame),
  );
  assert.ok(a.batches[0]!.shared, 'a holder for the encoding is passed');
  assert.equal(a.batches[0]!.shared, b.batches[0]!.shared, 'one holder for every subscriber');
  assert.equal(subA.nextSeq, 7);
  assert.equal(subB.nextSeq, 7);
});

test('one event is sent through the shared holder too', () => {
  const batch = new CommitFrames([event(9)], 's1');
  assert.equal(batch.consecutive, true);
  const p = recordingPeer();
  const sub = liveAt(p.peer, 9);
  assert.equal(sub.offerAll(batch), true);
  assert.equal(p.sent.length, 0);
  assert.equal(p.batches.length, 1);
  assert.ok(p.batches[0]!.shared);
  assert.equal(sub.nextSeq, 10);
});

test('a version 1 connection gets its own frames of the same commit', () => {
  const batch = new CommitFrames([event(1), event(2, 'control.changed', '{"control":{}}')], 's1');
  const v1 = recordingPeer(1);
  const v2 = recordingPeer(2);
  liveAt(v1.peer, 1).offerAll(batch);
  liveAt(v2.peer, 1).offerAll(batch);
  assert.notEqual(v1.batches[0]!.shared, v2.batches[0]!.shared);
  assert.match(String(v1.batches[0]!.frames[1]), /"type":"terminal.output"/);
  assert.match(String(v2.batches[0]!.frames[1]), /"type":"control.changed"/);
});

test('a subscriber not at the first event, or lagging, falls back to catching up', () => {
  const batch = new CommitFrames([event(4), event(5)], 's1');
  const ahead = recordingPeer();
  const subAhead = liveAt(ahead.peer, 5);
  assert.equal(subAhead.offerAll(batch), false);
  assert.equal(subAhead.state, 'catching_up');
  assert.equal(subAhead.fellBehind, false, 'its position is past the batch: not behind');
  assert.equal(ahead.batches.length, 0);

  const behind = liveAt(recordingPeer().peer, 2);
  assert.equal(behind.offerAll(batch), false);
  assert.equal(behind.fellBehind, true);

  const slow = recordingPeer(2, LAG_HIGH_WATER_BYTES + 1);
  const subSlow = liveAt(slow.peer, 4);
  assert.equal(subSlow.offerAll(batch), false);
  assert.equal(subSlow.state, 'catching_up');
  assert.equal(slow.batches.length, 0);
});

test('events with a seq missing between them go one by one, stopping at the hole', () => {
  const batch = new CommitFrames([event(4), event(5), event(7)], 's1');
  assert.equal(batch.consecutive, false);
  const p = recordingPeer();
  const sub = liveAt(p.peer, 4);
  assert.equal(sub.offerAll(batch), false);
  assert.equal(p.batches.length, 0);
  assert.deepEqual(p.sent, [batch.events[0]!.frame, batch.events[1]!.frame]);
  assert.equal(sub.nextSeq, 6);
  assert.equal(sub.state, 'catching_up');
});

test('a subscriber catching up or ended is left alone', () => {
  const batch = new CommitFrames([event(1), event(2)], 's1');
  const p = recordingPeer();
  const catching = new Subscription(p.peer, false, 0, 0);
  assert.equal(catching.offerAll(batch), true);
  const ended = liveAt(p.peer, 1);
  ended.end();
  assert.equal(ended.offerAll(batch), true);
  assert.equal(p.batches.length + p.sent.length, 0);
});
