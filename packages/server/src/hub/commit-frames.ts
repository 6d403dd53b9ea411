import type { CommittedEvent } from './event-frame.js';
import { committedFrameFor } from './legacy-events.js';
import type { EncodedFrames } from './peer.js';
import { committedPages } from './replay-page.js';

/** One commit's frames in one form, and the holder of their shared wire encoding. */
interface Encoding {
  frames: (string | Buffer)[];
  shared: EncodedFrames;
}

/**
 * The frames of one commit's events for one session, built once per protocol version and form
 * and shared by every live subscriber. A commit of a busy session holds several events (group
 * commit) and every live subscriber gets all of them, in order, with nothing between: so a
 * WebSocket peer encodes the whole run once (`Peer.sendFrames` with a shared holder) and writes
 * that one buffer to each subscriber, instead of one `send` per event per subscriber.
 *
 * Two forms: `event` frames, one per event, for every client; and, for a connection that said
 * `livePages` in its hello, the same events in one `events` frame (split only past the page
 * size), which costs its client one message for the commit instead of one per event.
 *
 * A commit's events are consecutive in seq (the LogWriter allocates them so), and then a
 * subscriber whose next seq is the first one needs all of them. Events that are not (a
 * follower's read, should it ever skip) are offered one by one, as before.
 */
export class CommitFrames {
  private readonly single = new Map<number, Encoding>();
  private readonly paged = new Map<number, Encoding>();

  /** No seq missing between the first event and the last (one event counts). */
  readonly consecutive: boolean;

  constructor(
    readonly events: readonly CommittedEvent[],
    readonly sessionId: string,
  ) {
    const first = events[0];
    const last = events[events.length - 1];
    // Seqs only grow within a batch, so a span equal to the count means none is missing.
    this.consecutive =
      first !== undefined && last !== undefined && last.seq - first.seq === events.length - 1;
  }

  /**
   * The frames as a connection speaking `protocolVersion` receives them, and their holder:
   * `events` frames where the peer takes live pages and the commit holds more than one event
   * (a lone event stays an `event` frame, which is smaller), else `event` frames.
   */
  for(protocolVersion: number, livePages = false): Encoding {
    const paged = livePages && this.events.length > 1;
    const cache = paged ? this.paged : this.single;
    let entry = cache.get(protocolVersion);
    if (entry === undefined) {
      const frames = paged
        ? committedPages(protocolVersion, this.sessionId, this.events)
        : this.events.map((ev) => committedFrameFor(protocolVersion, this.sessionId, ev));
      cache.set(protocolVersion, (entry = { frames, shared: {} }));
    }
    return entry;
  }
}
