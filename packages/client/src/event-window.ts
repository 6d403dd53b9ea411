import type { LogEvent } from '@baton/protocol';

/** How much of a session's recent log a client holds: at most `events` events and `chars` characters. */
export interface WindowLimits {
  readonly events: number;
  readonly chars: number;
}

/**
 * The recent, contiguous part of a session's confirmed log that a client holds in memory. Old
 * events fall out at the front once either limit is passed, so memory stays bounded however long
 * the session runs.
 *
 * Cost: `push` is O(1) amortized. Dropped events are not spliced out one by one; the buffer is
 * compacted (copied once) only after as many events were dropped as it holds, so every event is
 * copied at most once more. `after(seq)` finds its start by binary search on `seq`.
 */
export class EventWindow {
  #buffer: LogEvent[] = [];
  /** Index in `#buffer` of the first held event; slots before it are dropped. */
  #start = 0;
  #chars = 0;
  #limits: WindowLimits;
  /** Extra room granted by `prepend`, so events loaded on demand are not dropped at once. */
  #extraEvents = 0;
  #extraChars = 0;

  constructor(limits: WindowLimits) {
    this.#limits = checkLimits(limits);
  }

  /** The number of events held. */
  get length(): number {
    return this.#buffer.length - this.#start;
  }

  /** The seq of the first event held, or `undefined` when empty. */
  get firstSeq(): number | undefined {
    return this.#buffer[this.#start]?.seq;
  }

  /** Characters of event payload held (the measure behind `limits.chars`). */
  get chars(): number {
    return this.#chars;
  }

  get limits(): WindowLimits {
    return this.#limits;
  }

  /** Changes the limits; events over the new limits are dropped at once and returned. */
  setLimitsDropping(limits: WindowLimits): LogEvent[] {
    this.#limits = checkLimits(limits);
    return this.#trim();
  }

  /** Appends the next event (its seq must follow the last one's); drops old ones if over limits. */
  push(event: LogEvent): LogEvent[] {
    this.#buffer.push(event);
    this.#chars += weightOf(event);
    return this.#trim();
  }

  /**
   * Puts older events (contiguous, ending right before `firstSeq`) in front. The window's limits
   * grow by what was added, so events loaded on request stay until `clear`.
   */
  prepend(events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    let chars = 0;
    for (const event of events) chars += weightOf(event);
    this.#buffer = [...events, ...this.#buffer.slice(this.#start)];
    this.#start = 0;
    this.#chars += chars;
    this.#extraEvents += events.length;
    this.#extraChars += chars;
  }

  clear(): void {
    this.#buffer = [];
    this.#start = 0;
    this.#chars = 0;
    this.#extraEvents = 0;
    this.#extraChars = 0;
  }

  /** The held events with `seq > afterSeq`, in order: O(log n + k) for k events returned. */
  after(afterSeq: number): LogEvent[] {
    return this.#buffer.slice(this.#indexAfter(afterSeq));
  }

  /** A copy of the held events with `seq <= lastSeq`, in order. */
  upTo(lastSeq: number): LogEvent[] {
    return this.#buffer.slice(this.#start, this.#indexAfter(lastSeq));
  }

  /**
   * The index in `#buffer` of the first held event with `seq > afterSeq`, by binary search: held
   * seqs increase but may skip numbers (events of unknown types are not held).
   */
  #indexAfter(afterSeq: number): number {
    let low = this.#start;
    let high = this.#buffer.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#buffer[mid]!.seq <= afterSeq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** A copy of the held events, in order. */
  toArray(): LogEvent[] {
    return this.#buffer.slice(this.#start);
  }

  /** Drops events at the front while over a limit, always keeping the newest one. */
  #trim(): LogEvent[] {
    const maxEvents = this.#limits.events + this.#extraEvents;
    const maxChars = this.#limits.chars + this.#extraChars;
    const dropped: LogEvent[] = [];
    while (this.length > 1 && (this.length > maxEvents || this.#chars > maxChars)) {
      const event = this.#buffer[this.#start]!;
      this.#chars -= weightOf(event);
      // Release the slot so the event can be collected before the next compaction.
      (this.#buffer as (LogEvent | undefined)[])[this.#start] = undefined;
      this.#start++;
      dropped.push(event);
    }
    if (this.#start > 0 && this.#start >= this.length) {
      this.#buffer = this.#buffer.slice(this.#start);
      this.#start = 0;
    }
    return dropped;
  }
}

/**
 * The size an event counts for against `limits.chars`: its text for output and messages, a
 * flat estimate for the small structured events. Cheap on purpose: it runs for every event.
 */
export function weightOf(event: LogEvent): number {
  switch (event.type) {
    case 'terminal.output':
      return event.data.data.length;
    case 'agent.text':
    case 'agent.thinking':
      return event.data.text.length;
    case 'input':
      return 'sealed' in event.data.payload
        ? event.data.payload.sealed.ciphertext.length
        : event.data.payload.kind === 'terminal'
          ? event.data.payload.data.length
          : event.data.payload.text.length;
    case 'agent.tool.call':
    case 'agent.tool.result':
      // Tool inputs and outputs can be large; agents emit few events, so measuring is affordable.
      return 200 + (JSON.stringify(event.data).length || 0);
    default:
      return 200;
  }
}

function checkLimits(limits: WindowLimits): WindowLimits {
  if (!(limits.events >= 1) || !(limits.chars >= 1)) {
    throw new Error(
      `window limits must be at least 1 event and 1 character, got ${limits.events} and ${limits.chars}`,
    );
  }
  return limits;
}
