import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOL_VERSION } from '@baton/protocol';
import type { Logger } from '../logger.js';
import type { Store } from '../storage/store.js';
import { CatchUp, type CatchUpSession } from './catch-up.js';
import { toCommitted, type CommittedEvent } from './event-frame.js';
import type { Peer } from './peer.js';
import type { RecentFrames } from './recent-frames.js';
import { Subscription } from './subscription.js';

/** A peer that records what it was sent; its queue is always drained. */
function recordingPeer(): Peer & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    connectionId: 'c1',
    deviceId: 'd1',
    deviceName: 'device',
    mode: 'headless',
    protocolVersion: PROTOCOL_VERSION,
    send: (frame) => sent.push(String(frame)),
    bufferedAmount: () => 0,
    drained: () => Promise.resolve(),
    closed: false,
    fail: () => {},
  };
}

const committed = (seq: number): CommittedEvent =>
  toCommitted('s1', {
    seq,
    ts: 1,
    type: 'terminal.output',
    dataJson: JSON.stringify({ data: `line ${seq}` }),
  });

test('a subscriber that falls back while its pump is finishing is caught up, not left behind', async () => {
  const session: CatchUpSession & { committedSeq: number } = {
    id: 's1',
    kind: 'terminal',
    committedSeq: 0,
    firstSeq: 1,
    epoch: 'e1',
    info: () => ({}) as never,
    snapshotJson: () => Promise.reject(new Error('no snapshot expected')),
  };
  const peer = recordingPeer();
  const sub = new Subscription(peer, false, 0, Date.now());
  let recent: CommittedEvent[] = [];
  let again: Promise<void> | undefined;
  /** Once: the second switch to live is the one that must stick. */
  let injected = false;
  const catchUp: CatchUp = new CatchUp(session, {
    store: {} as Store,
    log: {} as Logger,
    recent: {
      from: (seq: number) => recent.filter((e) => e.seq >= seq),
    } as unknown as RecentFrames,
    // Runs as the subscriber turns live. The microtask it queues runs before the pump that
    // switched it has returned: a commit (seq 1) the subscriber falls back on at that moment,
    // as when a PostgreSQL reply resolves a replay's read and a commit in one stretch.
    liveFrames: () => {
      if (injected) return [];
      injected = true;
      queueMicrotask(() => {
        recent = [committed(1)];
        session.committedSeq = 1;
        sub.state = 'catching_up';
        again = catchUp.run(sub);
      });
      return [];
    },
  });
  await catchUp.run(sub);
  await again;
  assert.ok(again !== undefined, 'the fall-back happened while the pump was finishing');
  assert.equal(sub.state, 'live', 'caught up again, not left catching up with no pump');
  assert.equal(sub.nextSeq, 2);
  assert.equal(peer.sent.filter((f) => f.includes('line 1')).length, 1, 'seq 1 sent once');
});
