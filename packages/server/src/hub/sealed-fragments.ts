import { isSealedLogEvent, type LogEvent } from '@baton/protocol';

/** What a sealed session keeps of its replies in progress, at most (frames as sent, UTF-16). */
export const SEALED_FRAGMENTS_CAP = 1024 * 1024;

/** Host `out`s whose `finishes` wait for their commit, at most (they commit one at a time). */
const MAX_PENDING_OUTS = 64;

interface Kept {
  frames: string[];
  size: number;
}

/**
 * On a relay, a sealed session's replies still streaming: the `stream` frames it relayed (each
 * a sealed fragment the relay verified but cannot read), per message, in order. The sealed
 * counterpart of StreamingText: the relay cannot join fragments, so it keeps the frames and
 * sends them again, as they were, to a subscriber that turns live mid-reply.
 *
 * Invariants:
 * - A message's frames live here from its first fragment until the commit of the host `out`
 *   that carries its final event, which the host names outside the envelope (`out.finishes`,
 *   host link 5; registered with `finishing` before the commit, forgotten in `committed`, in
 *   the same tick the event is offered to subscribers), or until the turn ends or the runner
 *   stops (event types in the clear). So a subscriber that turns live at `committedSeq` gets
 *   either the fragments (the final event is still to come) or the event, never both and never
 *   neither.
 * - At most `cap` characters of frames per session. Beyond it the oldest message's fragments
 *   are dropped entirely and no later fragment of it is kept (a reader given only its tail would
 *   show a reply that starts mid-sentence): a joiner then sees that message when it is stored.
 */
export class SealedFragments {
  private readonly messages = new Map<string, Kept>();
  /** Messages dropped for the cap: their later fragments are not kept either. */
  private readonly dropped = new Set<string>();
  /** Host `out` number → the streamed messages its commit finishes. */
  private readonly finishes = new Map<number, readonly string[]>();
  private size = 0;

  constructor(private readonly cap = SEALED_FRAGMENTS_CAP) {}

  /** Keeps one relayed fragment frame of `messageId`. */
  keep(messageId: string, frame: string): void {
    if (this.dropped.has(messageId)) return;
    let kept = this.messages.get(messageId);
    if (!kept) {
      kept = { frames: [], size: 0 };
      this.messages.set(messageId, kept);
    }
    kept.frames.push(frame);
    kept.size += frame.length;
    this.size += frame.length;
    // The oldest first (Map order); the message just added to as well, if it alone is too big.
    while (this.size > this.cap) {
      const oldest = this.messages.keys().next().value!;
      this.forget(oldest);
      this.dropped.add(oldest);
    }
  }

  /** The commit of host `out` `n` finishes these messages (called before it is appended). */
  finishing(n: number, messageIds: readonly string[]): void {
    this.finishes.set(n, messageIds);
    // Bounded even if commits stop coming (a host that sends and goes): the oldest go first.
    if (this.finishes.size > MAX_PENDING_OUTS)
      this.finishes.delete(this.finishes.keys().next().value!);
  }

  /**
   * Forgets what a committed event finished or ended. A sealed event's envelope id is
   * `o<n>.<i>.<type>` (verified by the relay), so it names the host `out` it came in: the
   * messages that `out` finishes are forgotten, and so is any `finishing` of an earlier `out`
   * that never committed (refused, or already committed before: outs commit in order).
   */
  committed(event: LogEvent): void {
    if (event.type === 'agent.turn.ended') this.clear();
    if (isSealedLogEvent(event)) {
      if (this.finishes.size > 0) this.outCommitted(event.data.sealed.id);
    } else if (
      event.type === 'session.status' &&
      event.data.status !== 'running' &&
      event.data.status !== 'starting'
    ) {
      this.clear();
    }
  }

  /** The frames that bring a new subscriber to the replies streamed so far, oldest first. */
  catchUpFrames(): string[] {
    const frames: string[] = [];
    for (const kept of this.messages.values()) frames.push(...kept.frames);
    return frames;
  }

  /** Characters of frames kept now (tests, diagnostics). */
  get keptSize(): number {
    return this.size;
  }

  private outCommitted(envelopeId: string): void {
    const match = /^o(\d+)\./.exec(envelopeId);
    if (!match) return;
    const n = Number(match[1]);
    for (const [m, ids] of this.finishes) {
      if (m > n) continue;
      for (const id of ids) this.forgetFinished(id);
      this.finishes.delete(m);
    }
  }

  private forgetFinished(messageId: string): void {
    this.forget(messageId);
    this.dropped.delete(messageId);
  }

  private forget(messageId: string): void {
    const kept = this.messages.get(messageId);
    if (!kept) return;
    this.size -= kept.size;
    this.messages.delete(messageId);
  }

  private clear(): void {
    this.messages.clear();
    this.dropped.clear();
    this.size = 0;
  }
}
