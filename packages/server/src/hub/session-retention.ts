import type { SessionKind } from '@baton/protocol';
import type { Logger } from '../logger.js';
import { snapshotJsonOf, type Projection } from '../projections/projection.js';
import type { Store } from '../storage/store.js';

/** A terminal's screen is checkpointed after this many events, so a restart replays little. */
const CHECKPOINT_EVERY_EVENTS = 1000;

/** What retention reads of its session (LiveSession is one), and the one position it moves. */
export interface RetainedSession {
  readonly id: string;
  readonly kind: SessionKind;
  readonly committedSeq: number;
  /** The oldest seq still stored: moved forward here, before the events below it are deleted. */
  firstSeq: number;
  /** Sealed sessions are checkpointed by their host (LiveSession.hostSnapshot), not here. */
  readonly sealed: unknown;
  /** A following node (many nodes) neither checkpoints nor compacts: the owner does. */
  readonly following: boolean;
  readonly isDeleted: boolean;
}

export interface RetentionDeps {
  store: Store;
  projection: Projection;
  /** Events kept at least; compaction starts once a quarter more are stored. */
  retentionEvents: number;
  log: Logger;
}

/**
 * One session's checkpoints and compaction: a terminal's screen stored every so many events, and
 * once the log is over retention the snapshot stored and the events before it deleted.
 */
export class SessionRetention {
  private compacting = false;
  private eventsSinceCheckpoint = 0;

  constructor(
    private readonly session: RetainedSession,
    private readonly deps: RetentionDeps,
  ) {}

  /** `count` events were committed and applied to the projection. */
  committed(count: number): void {
    this.eventsSinceCheckpoint += count;
    this.maybeCompact();
  }

  /** Starts a checkpoint when one is due (never waits for it: it logs its own failures). */
  maybeCompact(): void {
    const session = this.session;
    if (this.compacting || session.isDeleted || session.following) return;
    const retained = session.committedSeq - session.firstSeq + 1;
    const overRetention = retained > this.deps.retentionEvents * 1.25;
    // A sealed session's snapshots are its host's, stored as they arrive (hostSnapshot): the
    // relay has none of its own to checkpoint, and compacts only up to the host's newest.
    const checkpointDue =
      !session.sealed &&
      session.kind === 'terminal' &&
      this.eventsSinceCheckpoint >= CHECKPOINT_EVERY_EVENTS;
    if (!overRetention && !checkpointDue) return;
    void this.checkpoint(overRetention);
  }

  /**
   * Stores the projection's snapshot at its seq S, and when over retention deletes events up to
   * min(S, head - retention). Deleting only at or below S is what keeps replay exact: any
   * subscriber that needs a deleted event gets the snapshot at S and the events after it.
   * Never rejects: a failure is logged and the events merely stay.
   */
  async checkpoint(compact = false): Promise<void> {
    const session = this.session;
    if (this.compacting || session.isDeleted || session.following) return;
    this.compacting = true;
    try {
      this.eventsSinceCheckpoint = 0;
      const snap = await snapshotJsonOf(this.deps.projection);
      if (session.isDeleted || snap.seq === 0) return;
      // The store keeps text: the one decode of the state, at a checkpoint, not per joiner.
      const text = Buffer.concat(snap.parts).toString('utf8');
      await this.deps.store.putSnapshot(session.id, snap.seq, text);
      if (compact) {
        const upto = Math.min(snap.seq, session.committedSeq - this.deps.retentionEvents);
        if (upto >= session.firstSeq) {
          // Before the delete, not after it: with a store that yields (PostgreSQL) a catch-up
          // would otherwise read the deleted range for a round trip while firstSeq still says
          // it is there, and find nothing. The snapshot at `snap.seq` >= upto is stored above,
          // so a subscriber sent to it from here on loses nothing; if the delete fails, the
          // events merely stay (and such subscribers get the snapshot instead of them).
          session.firstSeq = upto + 1;
          await this.deps.store.compact(session.id, upto);
        }
      }
    } catch (err) {
      this.deps.log.error('checkpoint failed', {
        session: session.id,
        error: (err as Error).message,
      });
    } finally {
      this.compacting = false;
    }
  }
}
