import type { Store } from '../storage/store.js';
import { toCommitted, type CommittedEvent } from '../hub/event-frame.js';
import type { LiveSession } from '../hub/live-session.js';

/** Events read per page when following another node's log. */
const PAGE = 500;

/**
 * Applies the events another node committed to a session this node follows, read from the store,
 * so that this node's subscribers, projection and session list see them as if committed here.
 *
 * Order and gap-freedom with an asynchronous store: pulls of one session run one after another
 * (a promise chain per session), and each reads `seq > committedSeq` ascending and applies the
 * page before reading the next, so events are applied once, in order. The store shows a gap-free
 * prefix: the owner runs one commit at a time (LogWriter.flushing) and a commit is visible whole
 * or not at all, so a reader never sees seq N+1 without N. After a takeover the old owner's
 * commits are fenced (no commit lands after the new lease), so no event appears below a head a
 * node has already read past.
 */
export class LogFollower {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly apply: (session: LiveSession, events: CommittedEvent[]) => void,
  ) {}

  /** Reads and applies everything stored past what `session` has applied; in order with other pulls. */
  pull(session: LiveSession): Promise<void> {
    const previous = this.chains.get(session.id) ?? Promise.resolve();
    const next = previous.then(() => this.read(session));
    const kept = next.catch(() => {});
    this.chains.set(session.id, kept);
    void kept.then(() => {
      if (this.chains.get(session.id) === kept) this.chains.delete(session.id);
    });
    return next;
  }

  private async read(session: LiveSession): Promise<void> {
    for (;;) {
      if (session.isDeleted) return;
      const after = session.committedSeq;
      const page = await this.store.readEvents(session.id, after, PAGE);
      // Applied only if nothing moved the session meanwhile (it became the owner and committed).
      if (session.committedSeq !== after) return;
      const fresh = page.filter((e) => e.seq > after);
      if (fresh.length === 0) return;
      // A follower far behind may find the start compacted away; it jumps to what is stored (its
      // subscribers needing the missing range get the snapshot, as on a single node).
      if (fresh[0]!.seq !== after + 1) session.firstSeq = Math.max(session.firstSeq, fresh[0]!.seq);
      this.apply(
        session,
        fresh.map((e) => toCommitted(session.id, e)),
      );
      if (page.length < PAGE) return;
    }
  }
}
