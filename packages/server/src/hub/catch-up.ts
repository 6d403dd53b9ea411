import type { SessionInfo, SessionKind } from '@baton/protocol';
import type { Logger } from '../logger.js';
import type { SnapshotJson } from '../projections/projection.js';
import type { Store, StoredEvent } from '../storage/store.js';
import type { Peer } from './peer.js';
import { snapshotReasonFor } from './log-position.js';
import type { RecentFrames } from './recent-frames.js';
import { replayCommitted, replayStored } from './replay-page.js';
import { snapshotFrame, snapshotStateJson } from './snapshot-frame.js';
import type { Subscription } from './subscription.js';

/** A terminal joiner this far behind gets the screen instead of every byte since. */
const CATCHUP_SNAPSHOT_EVENTS = 256;
/** Events read from the store per page while catching a subscriber up. */
const REPLAY_PAGE = 500;

/**
 * What catching up reads of the session (LiveSession is one). The positions are read again after
 * every await: `committedSeq` moves only when a commit is applied (`onCommitted`), `firstSeq`
 * when retention compacts, `epoch` when a restored log gets a new one.
 */
export interface CatchUpSession {
  readonly id: string;
  readonly kind: SessionKind;
  readonly committedSeq: number;
  readonly firstSeq: number;
  readonly epoch: string;
  info(): SessionInfo;
  snapshotJson(): Promise<SnapshotJson>;
}

export interface CatchUpDeps {
  store: Store;
  log: Logger;
  /** The session's recent committed events, kept to replay without reading the store. */
  recent: RecentFrames;
  /**
   * What a subscriber turning live needs of messages still streaming (the text so far, a sealed
   * session's fragments), in the order to send them.
   */
  liveFrames(): Iterable<string>;
}

/**
 * Brings subscribers of one session up to date, each on its own: from the recent frames or the
 * store, or with a snapshot when the events it needs were compacted (or a terminal joiner is far
 * behind), then switches it to live.
 */
export class CatchUp {
  constructor(
    private readonly session: CatchUpSession,
    private readonly deps: CatchUpDeps,
  ) {}

  /**
   * Runs until `sub` is live, ended or its peer closed. Never waits on other subscribers; waits
   * only for this subscriber's own socket to drain. A second call while one runs does nothing.
   */
  async run(sub: Subscription): Promise<void> {
    if (sub.pumping) return;
    sub.pumping = true;
    try {
      while (!sub.ended && !sub.peer.closed) {
        await sub.peer.drained();
        if (sub.ended || sub.peer.closed) return;
        if (!(await this.step(sub))) break;
      }
    } finally {
      sub.pumping = false;
    }
    // Between the switch to live (in `step`) and `pumping` cleared above lie a few microtasks. A
    // commit fanned out in them (possible with a store whose replies can settle a replay's read
    // and a commit in one stretch of the event loop; never with better-sqlite3, whose commit
    // runs in a macrotask of its own) may have dropped the subscriber back to catching up, and
    // its call to `run` found this pump still running and left: go round again, or it would
    // wait for nothing.
    if (sub.state === 'catching_up' && !sub.ended && !sub.peer.closed) return this.run(sub);
  }

  /** One page, snapshot or the switch to live; false once the subscriber is live or gone. */
  private async step(sub: Subscription): Promise<boolean> {
    const session = this.session;
    // No await between this check and the switch to live: a commit whose `onCommitted` runs
    // after the switch is offered to this subscriber live, one that ran before is replayed.
    // (This holds with any store: committedSeq moves only in onCommitted.)
    if (sub.nextSeq > session.committedSeq) {
      sub.state = 'live';
      sub.fellBehind = false;
      // Synchronously with turning live: no fragment can slip in between the text so far and
      // the live fragments after it.
      for (const frame of this.deps.liveFrames()) sub.peer.send(frame);
      return false;
    }
    const behind = session.committedSeq - sub.nextSeq + 1;
    const compacted = sub.nextSeq < session.firstSeq;
    const reset = sub.resetPending;
    if (reset || compacted || (session.kind === 'terminal' && behind > CATCHUP_SNAPSHOT_EVENTS)) {
      const snap = await session.snapshotJson();
      if (sub.ended) return false;
      // A sealed session without a host snapshot yet (seq 0) replays instead.
      if (reset || compacted || (snap.seq > 0 && snap.seq >= sub.nextSeq - 1)) {
        const reason = snapshotReasonFor(
          sub.peer.protocolVersion,
          reset ? 'reset' : compacted ? 'retention' : sub.fellBehind ? 'resync' : 'catchup',
        );
        sub.peer.send(
          snapshotFrame(
            { sessionId: session.id, seq: snap.seq, epoch: session.epoch, reason },
            snapshotStateJson(session.info(), snap.parts),
          ),
        );
        sub.nextSeq = snap.seq + 1;
        sub.fellBehind = false;
        sub.resetPending = false;
        return true;
      }
    }
    const recent = this.deps.recent.from(sub.nextSeq, REPLAY_PAGE);
    if (recent && recent.length > 0) {
      // Synchronous with the check of committedSeq above: these are all committed events.
      sendAll(sub.peer, replayCommitted(sub.peer, session.id, recent));
      sub.nextSeq = recent[recent.length - 1]!.seq + 1;
      return true;
    }
    const page = await this.deps.store.readEvents(session.id, sub.nextSeq - 1, REPLAY_PAGE);
    if (sub.ended) return false;
    // The stored JSON is spliced into the frames as is (never parsed and encoded again), and
    // the page leaves as one buffer where the peer can (Peer.sendFrames).
    const replayed: StoredEvent[] = [];
    for (const stored of page) {
      // Nothing past committedSeq, though the store may already hold it: with PostgreSQL a
      // commit is visible to this read before the LogWriter hears that it committed, and so
      // before the append is acknowledged and `onCommitted` has run (projection, streaming
      // text, live subscribers). Sending it here would fan out before the acknowledgement, and
      // a subscriber turning live below would get the streamed text of a message whose final
      // event it already has. (With better-sqlite3 the read could not see such an event: the
      // commit and `onCommitted` run in one stretch of the event loop.)
      if (stored.seq !== sub.nextSeq || stored.seq > session.committedSeq) break;
      replayed.push(stored);
      sub.nextSeq++;
    }
    sendAll(sub.peer, replayStored(sub.peer, session.id, replayed));
    if (replayed.length === 0 && sub.nextSeq >= session.firstSeq) {
      // Only possible if the store lags the commit callback; never expected with SQLite.
      this.deps.log.error('replay found no stored event where one was expected', {
        session: session.id,
        nextSeq: sub.nextSeq,
        committedSeq: session.committedSeq,
      });
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }
}

/** A replay page to one peer, as one write where the peer can (Peer.sendFrames). */
function sendAll(peer: Peer, frames: readonly (string | Buffer)[]): void {
  if (peer.sendFrames) peer.sendFrames(frames);
  else for (const frame of frames) peer.send(frame);
}
