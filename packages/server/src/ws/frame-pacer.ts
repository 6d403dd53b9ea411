import type { TokenBucket } from './token-bucket.js';

/** What a pacer needs from the connection it paces. */
export interface PacerHooks<F> {
  /** Handles one frame; called in arrival order, never re-entrantly for the same pacer. */
  handle(frame: F): void;
  /** Stops reading the socket (frames already read still arrive and are held). */
  pause(): void;
  /** Reads the socket again. */
  resume(): void;
  /** A frame arrived over the rate and waits (metrics). */
  onHeld?(): void;
}

/** Timers, injectable so that a unit test can drive them. */
export interface PacerTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: PacerTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Holds a connection's frames to its rate by reading it more slowly, never by refusing a frame.
 *
 * A frame over the token bucket is held, the socket stops being read, and from then on every
 * frame waits behind it; when the bucket allows, the held frames are handled in arrival order
 * and reading resumes once none is left. Refusing instead (an error the client retries) would
 * let a later frame through before the refused one is resent: pipelined inputs of one session
 * would be stored out of the order they were typed in. Pausing pushes the flood back onto the
 * sender's TCP buffers, so what is held is at most what was already read.
 */
export class FramePacer<F> {
  private held: F[] | undefined;
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly hooks: PacerHooks<F>,
    private readonly timers: PacerTimers = realTimers,
  ) {}

  /** Frames waiting for the rate (tests and diagnostics). */
  get waiting(): number {
    return this.held?.length ?? 0;
  }

  offer(frame: F): void {
    if (this.disposed) return;
    if (this.held) {
      this.held.push(frame);
      this.hooks.onHeld?.();
      return;
    }
    const wait = this.bucket.take();
    if (wait === 0) {
      this.hooks.handle(frame);
      return;
    }
    this.hooks.onHeld?.();
    this.hold([frame], wait);
  }

  /** Drops what is held (the connection closed): nothing from it is handled any more. */
  dispose(): void {
    this.disposed = true;
    this.held = undefined;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private hold(frames: F[], wait: number): void {
    this.held = frames;
    this.hooks.pause();
    this.timer = this.timers.set(() => this.release(), wait);
  }

  private release(): void {
    this.timer = undefined;
    const frames = this.held ?? [];
    this.held = undefined;
    for (let i = 0; i < frames.length; i++) {
      // `handle` may have closed the connection (goodbye, a protocol error).
      if (this.disposed) return;
      const wait = this.bucket.take();
      if (wait > 0) {
        // Frames that arrive while these wait are pushed behind them (offer).
        this.hold(frames.slice(i), wait);
        return;
      }
      this.hooks.handle(frames[i]!);
    }
    if (!this.disposed) this.hooks.resume();
  }
}
