import type { NewLogEvent } from '@baton/protocol';

/** How a batcher hands a batch to the log. Resolves once the batch is committed. */
export type BatchSink = (events: NewLogEvent[]) => Promise<unknown>;

export interface OutputBatcherOptions {
  /** Longest time output waits before it is emitted. Default 5 ms. */
  delayMs?: number;
  /** Output size (UTF-8 bytes) that triggers an immediate emit; also the largest event. Default 64 KiB. */
  maxBytes?: number;
  /** Called when the sink rejects; the batcher carries on with the next batch. */
  onError?: (err: unknown) => void;
  /**
   * Output waiting behind a slow or retrying sink call above this many bytes asks the producer to
   * pause (`onPressure(true)`); once the sink catches up it asks it to resume. Default 4 MiB.
   */
  highWaterBytes?: number;
  /** Pause (true) or resume (false) the producer. Without it, output accumulates unbounded. */
  onPressure?: (paused: boolean) => void;
}

/**
 * Turns a PTY's stream of output (and the occasional other event, such as a resize) into
 * `terminal.output` events, in the exact order the PTY produced them.
 *
 * Invariants:
 * - At most one sink call is in flight. While it is, new output accumulates, so the log order
 *   equals the PTY order and output is never dropped.
 * - Bounded memory: output waiting behind the sink call beyond `highWaterBytes` pauses the
 *   producer (the PTY: the program then blocks on its writes), and it resumes once the sink call
 *   returns. At most about twice `highWaterBytes` is held (one batch in flight, one waiting).
 * - Output waits at most `delayMs` after its first byte (plus the time an in-flight commit
 *   takes), or less once `maxBytes` have accumulated.
 * - A non-output event (`enqueue`) closes the pending output first, so it lands after the output
 *   that preceded it and before the output that follows.
 * - No `terminal.output` event carries more than `maxBytes` bytes of UTF-8; larger runs are split
 *   into several events of one batch (never inside a surrogate pair).
 */
export class OutputBatcher {
  private readonly delayMs: number;
  private readonly maxBytes: number;
  private readonly onError: (err: unknown) => void;
  private readonly highWaterBytes: number;
  private readonly onPressure: ((paused: boolean) => void) | undefined;
  private paused = false;
  /** UTF-8 size of the output events in `queue`. */
  private queuedBytes = 0;
  /** Closed events waiting for the next sink call. */
  private queue: NewLogEvent[] = [];
  /** Output not yet closed into events. */
  private open = '';
  /** UTF-8 size of `open`. */
  private openBytes = 0;
  private firstPendingAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly sink: BatchSink,
    options: OutputBatcherOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 5;
    this.maxBytes = options.maxBytes ?? 64 * 1024;
    this.onError = options.onError ?? (() => {});
    this.highWaterBytes = options.highWaterBytes ?? 4 * 1024 * 1024;
    this.onPressure = options.onPressure;
  }

  /** Whether the producer was asked to pause. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Add PTY output. Never blocks and never drops. */
  push(data: string): void {
    if (data.length === 0) return;
    if (!this.hasPending()) this.firstPendingAt = Date.now();
    this.open += data;
    this.openBytes += Buffer.byteLength(data);
    if (
      !this.paused &&
      this.onPressure &&
      this.openBytes + this.queuedBytes >= this.highWaterBytes
    ) {
      this.paused = true;
      this.onPressure(true);
    }
    this.schedule();
  }

  /** Add a non-output event after all output pushed so far; it is emitted without delay. */
  enqueue(event: NewLogEvent): void {
    this.closeOpen();
    this.queue.push(event);
    this.kick();
  }

  /** Emit everything pushed so far. Resolves once it is committed (or the sink failed). */
  async flush(): Promise<void> {
    for (;;) {
      this.kick();
      if (!this.inFlight) return;
      await this.inFlight;
    }
  }

  /** Stop the timer. Pending output is kept; call `flush` first to emit it. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private hasPending(): boolean {
    return this.open.length > 0 || this.queue.length > 0;
  }

  /** Decide when the next sink call happens, given what is pending now. */
  private schedule(): void {
    if (this.inFlight || !this.hasPending()) return;
    const waited = Date.now() - this.firstPendingAt;
    if (this.queue.length > 0 || this.openBytes >= this.maxBytes || waited >= this.delayMs) {
      this.kick();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, this.delayMs - waited);
    }
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight || !this.hasPending()) return;
    this.closeOpen();
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.inFlight = this.send(batch);
  }

  private async send(batch: NewLogEvent[]): Promise<void> {
    try {
      await this.sink(batch);
    } catch (err) {
      this.onError(err);
    }
    this.inFlight = undefined;
    if (this.paused && this.openBytes + this.queuedBytes < this.highWaterBytes) {
      this.paused = false;
      this.onPressure?.(false);
    }
    if (this.hasPending()) this.schedule();
  }

  private closeOpen(): void {
    if (this.open.length === 0) return;
    for (const data of splitUtf8(this.open, this.maxBytes)) {
      this.queue.push({ type: 'terminal.output', data: { data } });
    }
    this.queuedBytes += this.openBytes;
    this.open = '';
    this.openBytes = 0;
  }
}

/** Split `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a surrogate pair. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    // A UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair is 4 bytes for 2 units),
    // so maxBytes/3 units always fit; grow from there while it still fits.
    let end = Math.min(text.length, start + Math.max(1, Math.floor(maxBytes / 3)));
    let step = Math.max(1, Math.floor((maxBytes - Buffer.byteLength(text.slice(start, end))) / 3));
    while (end < text.length && step > 0) {
      const next = Math.min(text.length, end + step);
      if (Buffer.byteLength(text.slice(start, next)) <= maxBytes) end = next;
      else step = Math.floor(step / 2);
    }
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
