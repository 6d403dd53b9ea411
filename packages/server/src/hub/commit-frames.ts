import type { CommittedEvent } from './event-frame.js';
import { committedFrameFor } from './legacy-events.js';
import type { EncodedFrames } from './peer.js';

/**
 * The frames of one commit's events for one session, built once per protocol version and shared
 * by every live subscriber. A commit of a busy session holds several events (group commit) and
 * every live subscriber gets all of them, in order, with nothing between: so a WebSocket peer
 * encodes the whole run once (`Peer.sendFrames` with a shared holder) and writes that one buffer
 * to each subscriber, instead of one `send` per event per subscriber. The bytes on the wire are
 * the same as the `event` frames sent one by one.
 *
 * A commit's events are consecutive in seq (the LogWriter allocates them so), and then a
 * subscriber whose next seq is the first one needs all of them. Events that are not (a
 * follower's read, should it ever skip) are offered one by one, as before.
 */
export class CommitFrames {
  private readonly byVersion = new Map<
    number,
    { frames: (string | Buffer)[]; shared: EncodedFrames }
  >();

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

  /** The event frames as a connection speaking `protocolVersion` receives them, and their holder. */
  for(protocolVersion: number): { frames: (string | Buffer)[]; shared: EncodedFrames } {
    let entry = this.byVersion.get(protocolVersion);
    if (entry === undefined) {
      const frames = this.events.map((ev) =>
        committedFrameFor(protocolVersion, this.sessionId, ev),
      );
      this.byVersion.set(protocolVersion, (entry = { frames, shared: {} }));
    }
    return entry;
  }
}
