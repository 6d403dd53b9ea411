import {
  SnapshotState,
  isKnownLogEvent,
  type LogEvent,
  type ReceivedLogEvent,
  type SnapshotMessage,
} from '@baton/protocol';
import { EventWindow, type WindowLimits } from './event-window.js';

/** The base a session's view starts from: the latest snapshot, if the server sent one. */
export interface SessionBase {
  /** Events up to and including `seq` are summarised in `state`. */
  readonly seq: number;
  readonly reason: SnapshotMessage['reason'];
  /** `undefined` if the snapshot's state did not match the protocol's `SnapshotState`. */
  readonly state: SnapshotState | undefined;
}

/**
 * A check every event must pass, once, in log order, as it is appended (a sealed session's
 * replay check: each author's counter must grow along the log). An event refused moves the
 * position past it like an unknown event and is not held. `reset` is called whenever the log
 * starts over from a new base.
 */
export interface SessionLogAdmission {
  admit(event: ReceivedLogEvent): boolean;
  reset(): void;
}

/** The range a client must `fetch` to close a gap: events `afterSeq + 1 …` up to `limit`. */
export interface MissingRange {
  afterSeq: number;
  limit: number;
}

const MAX_FETCH = 5000;

/** What a client holds of a terminal's log by default: the screen (snapshot) is the state. */
export const TERMINAL_WINDOW: WindowLimits = { events: 1000, chars: 4 * 1024 * 1024 };
/** What a client holds of an agent conversation by default; older events load on request. */
export const AGENT_WINDOW: WindowLimits = { events: 2000, chars: 8 * 1024 * 1024 };

/**
 * The confirmed log of one session as this client knows it, and the sequence rules that keep it
 * exact (lesson 4): an event is applied only if its `seq` is `lastSeq + 1`; an event at or below
 * `lastSeq` is a duplicate (the seam between replay and live, or a refetch) and is ignored; an
 * event beyond `lastSeq + 1` is held back until the events between have been fetched, then
 * everything is applied in order. A snapshot replaces the base and moves `lastSeq` to its `seq`.
 *
 * An event of a type this client does not know moves `lastSeq` past it and is otherwise skipped.
 *
 * Only a bounded window of the most recent events is held (`EventWindow`); `lastSeq` and the
 * sequence rules do not depend on what was dropped. Input ids are remembered for held events and
 * the snapshot base only, so that set is bounded too.
 */
export class SessionLog {
  #lastSeq = 0;
  #base: SessionBase | undefined;
  readonly #window: EventWindow;
  /** Input ids of held `input` events and of the base's; shrinks as events are dropped. */
  readonly #inputIds = new Set<string>();
  readonly #ahead = new Map<number, ReceivedLogEvent>();
  /**
   * Every event from this seq to `lastSeq` is held (or was of an unknown type). Above the base
   * when the window dropped events, or before older ones are loaded back.
   */
  #heldFrom = 1;
  /** The epoch `lastSeq` belongs to; `undefined` until the server named one. */
  #epoch: string | undefined;

  /** See `SessionLogAdmission`. */
  readonly #admission: SessionLogAdmission | undefined;

  constructor(limits: WindowLimits = AGENT_WINDOW, admission?: SessionLogAdmission) {
    this.#window = new EventWindow(limits);
    this.#admission = admission;
  }

  /** Changes how much of the log is held (for example once the session's kind is known). */
  setLimits(limits: WindowLimits): void {
    for (const event of this.#window.setLimitsDropping(limits)) this.#dropped(event);
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The epoch of the log `lastSeq` is a position in; a position means nothing without it. */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /**
   * Names the epoch of a log that has none yet (from a subscribe reply). A different epoch is
   * only ever taken from a snapshot, which replaces the view: positions do not carry over.
   */
  adoptEpoch(epoch: string): void {
    this.#epoch ??= epoch;
  }

  get base(): SessionBase | undefined {
    return this.#base;
  }

  /** The held confirmed events after the base, in order (a copy: O(held)). */
  get events(): readonly LogEvent[] {
    return this.#window.toArray();
  }

  /** The held events up to `lastSeq` (a copy), as they were when `lastSeq` was the head. */
  eventsUpTo(lastSeq: number): readonly LogEvent[] {
    return this.#window.upTo(lastSeq);
  }

  /** Held events with `seq > afterSeq` (O(k)); `undefined` when some of them were dropped. */
  eventsAfter(afterSeq: number): readonly LogEvent[] | undefined {
    if (afterSeq + 1 < this.#heldFrom) return undefined;
    return this.#window.after(afterSeq);
  }

  /** The number of events held. */
  get heldCount(): number {
    return this.#window.length;
  }

  /**
   * The seq of the first held event (`lastSeq + 1` when none is held). Events between the base
   * and it were dropped from memory; they are still on the server (`fetch`).
   */
  get firstSeq(): number {
    return this.#heldFrom;
  }

  /** Whether events after the base were dropped from memory (see `firstSeq`). */
  get truncated(): boolean {
    return this.firstSeq > (this.#base?.seq ?? 0) + 1;
  }

  /**
   * Puts older events back in front of the held ones (fetched on request). They must end right
   * before `firstSeq`; events at or before the base are ignored. Returns how many were added.
   */
  prependOlder(events: readonly ReceivedLogEvent[]): number {
    const floor = this.#base?.seq ?? 0;
    const first = this.firstSeq;
    const older = events.filter(
      (e): e is LogEvent => isKnownLogEvent(e) && e.seq > floor && e.seq < first,
    );
    const ordered = older.every((e, i) => i === 0 || e.seq > older[i - 1]!.seq);
    // The fetched page must reach up to what is held, or a hole would open in the middle.
    const reaches = events.at(-1)?.seq === first - 1;
    if (events.length === 0 || !ordered || !reaches) return 0;
    this.#window.prepend(older);
    for (const event of older) this.#noteInput(event);
    this.#heldFrom = Math.max(floor + 1, events[0]!.seq);
    return events.filter((e) => e.seq > floor && e.seq < first).length;
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
    const applied: LogEvent[] = this.#append(event) ? [event as LogEvent] : [];
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
  applySnapshot(
    snapshot: Pick<SnapshotMessage, 'seq' | 'reason' | 'state'> & { epoch?: string },
  ): LogEvent[] {
    this.#admission?.reset();
    // Events held back were numbered in the old epoch: after a reset their seqs mean nothing.
    if (snapshot.reason === 'reset' || (snapshot.epoch && snapshot.epoch !== this.#epoch)) {
      this.#ahead.clear();
    }
    if (snapshot.epoch) this.#epoch = snapshot.epoch;
    const parsed = SnapshotState.safeParse(snapshot.state);
    const state = parsed.success ? parsed.data : undefined;
    this.#base = { seq: snapshot.seq, reason: snapshot.reason, state };
    this.#window.clear();
    this.#lastSeq = snapshot.seq;
    this.#heldFrom = snapshot.seq + 1;
    this.#inputIds.clear();
    if (state?.runner.kind === 'agent') {
      for (const event of state.runner.events) if (isKnownLogEvent(event)) this.#noteInput(event);
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

  /** Forgets everything: the next event or snapshot starts the log afresh. */
  reset(): void {
    this.#admission?.reset();
    this.#epoch = undefined;
    this.#lastSeq = 0;
    this.#heldFrom = 1;
    this.#base = undefined;
    this.#window.clear();
    this.#inputIds.clear();
    this.#ahead.clear();
  }

  /** Moves `lastSeq` to the event; holds it only if its type is known. Returns whether held. */
  #append(event: ReceivedLogEvent): boolean {
    this.#lastSeq = event.seq;
    if (this.#admission && !this.#admission.admit(event)) return false;
    if (!isKnownLogEvent(event)) return false;
    this.#noteInput(event);
    for (const dropped of this.#window.push(event)) this.#dropped(dropped);
    return true;
  }

  #noteInput(event: LogEvent): void {
    if (event.type === 'input') this.#inputIds.add(event.data.inputId);
  }

  #dropped(event: LogEvent): void {
    this.#heldFrom = Math.max(this.#heldFrom, event.seq + 1);
    if (event.type === 'input') this.#inputIds.delete(event.data.inputId);
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
