import {
  SnapshotState,
  isKnownLogEvent,
  type LogEvent,
  type ReceivedLogEvent,
  type SnapshotMessage,
} from '@baton/protocol';

/** The base a session's view starts from: the latest snapshot, if the server sent one. */
export interface SessionBase {
  /** Events up to and including `seq` are summarised in `state`. */
  readonly seq: number;
  readonly reason: SnapshotMessage['reason'];
  /** `undefined` if the snapshot's state did not match the protocol's `SnapshotState`. */
  readonly state: SnapshotState | undefined;
}

/** The range a client must `fetch` to close a gap: events `afterSeq + 1 …` up to `limit`. */
export interface MissingRange {
  afterSeq: number;
  limit: number;
}

const MAX_FETCH = 5000;

/**
 * The confirmed log of one session as this client knows it, and the sequence rules that keep it
 * exact (lesson 4): an event is applied only if its `seq` is `lastSeq + 1`; an event at or below
 * `lastSeq` is a duplicate (the seam between replay and live, or a refetch) and is ignored; an
 * event beyond `lastSeq + 1` is held back until the events between have been fetched, then
 * everything is applied in order. A snapshot replaces the base and moves `lastSeq` to its `seq`.
 * An event of a type this client does not know moves `lastSeq` past it and is otherwise skipped.
 */
export class SessionLog {
  #lastSeq = 0;
  #base: SessionBase | undefined;
  #events: LogEvent[] = [];
  readonly #inputIds = new Set<string>();
  readonly #ahead = new Map<number, ReceivedLogEvent>();

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get base(): SessionBase | undefined {
    return this.#base;
  }

  /** Confirmed events after the base, in order. The array is live: copy it before handing it out. */
  get events(): readonly LogEvent[] {
    return this.#events;
  }

  /** Whether the confirmed log (base or events) holds an `input` with this id. */
  hasInput(inputId: string): boolean {
    return this.#inputIds.has(inputId);
  }

  /** Offers one pushed event. Returns the events applied as a result, in order (maybe none). */
  offer(event: ReceivedLogEvent): LogEvent[] {
    if (event.seq <= this.#lastSeq) return [];
    if (event.seq > this.#lastSeq + 1) {
      this.#ahead.set(event.seq, event);
      return [];
    }
    const applied: LogEvent[] = this.#append(event) && isKnownLogEvent(event) ? [event] : [];
    return [...applied, ...this.#drain()];
  }

  /** Applies the contiguous events of a `fetch` reply; returns the events applied. */
  offerFetched(events: readonly ReceivedLogEvent[]): LogEvent[] {
    const applied: LogEvent[] = [];
    for (const event of events) applied.push(...this.offer(event));
    return applied;
  }

  /**
   * Replaces the base with a snapshot and continues from `seq + 1`. Held-back events after it
   * are applied; returns them.
   */
  applySnapshot(snapshot: Pick<SnapshotMessage, 'seq' | 'reason' | 'state'>): LogEvent[] {
    const parsed = SnapshotState.safeParse(snapshot.state);
    const state = parsed.success ? parsed.data : undefined;
    this.#base = { seq: snapshot.seq, reason: snapshot.reason, state };
    this.#events = [];
    this.#lastSeq = snapshot.seq;
    this.#inputIds.clear();
    if (state?.runner.kind === 'agent') {
      for (const event of state.runner.events) this.#noteInput(event);
    }
    return this.#drain();
  }

  /** The range to fetch when events are held back behind a gap; `undefined` when there is none. */
  missing(): MissingRange | undefined {
    let first = Infinity;
    for (const seq of this.#ahead.keys()) first = Math.min(first, seq);
    if (first === Infinity) return undefined;
    return { afterSeq: this.#lastSeq, limit: Math.min(MAX_FETCH, first - this.#lastSeq - 1) };
  }

  /** Moves `lastSeq` to the event; keeps it only if its type is known. Returns whether kept. */
  #append(event: ReceivedLogEvent): boolean {
    this.#lastSeq = event.seq;
    if (!isKnownLogEvent(event)) return false;
    this.#events.push(event);
    this.#noteInput(event);
    return true;
  }

  #noteInput(event: ReceivedLogEvent): void {
    if (isKnownLogEvent(event) && event.type === 'input') this.#inputIds.add(event.data.inputId);
  }

  #drain(): LogEvent[] {
    const applied: LogEvent[] = [];
    for (const seq of [...this.#ahead.keys()]) {
      if (seq <= this.#lastSeq) this.#ahead.delete(seq);
    }
    for (;;) {
      const next = this.#ahead.get(this.#lastSeq + 1);
      if (!next) break;
      this.#ahead.delete(next.seq);
      if (this.#append(next) && isKnownLogEvent(next)) applied.push(next);
    }
    return applied;
  }
}
