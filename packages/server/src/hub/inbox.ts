import type { InputEvent, Runner } from '../runners/runner.js';
import type { Logger } from '../logger.js';

/**
 * A session's inbox: every committed input, from every device, reaches the runner one at a time
 * in log order. The next input is handed over only after the runner has taken the previous one.
 */
export class Inbox {
  private readonly queue: InputEvent[] = [];
  private pumping = false;
  /** Inputs ever pushed, and those the runner took (or that were dropped): see `taken`. */
  private pushed = 0;
  private done = 0;
  private readonly waiters: { upTo: number; resolve: () => void }[] = [];

  constructor(
    private readonly runner: () => Runner | undefined,
    private readonly onError: (event: InputEvent, error: unknown) => void,
    private readonly log: Logger,
  ) {}

  push(event: InputEvent): void {
    this.pushed += 1;
    this.queue.push(event);
    if (!this.pumping)
      this.pump().catch((err: unknown) =>
        this.log.error('inbox failed to hand inputs to the runner', {
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
      );
  }

  get size(): number {
    return this.queue.length;
  }

  /**
   * Resolves once every input pushed before the call was taken by the runner or dropped; inputs
   * pushed later are not waited for.
   */
  taken(): Promise<void> {
    const upTo = this.pushed;
    if (this.done >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  /** Drops inputs not yet handed over (the runner went away; they stay in the log). */
  clear(): void {
    this.settle(this.queue.length);
    this.queue.length = 0;
  }

  private settle(count: number): void {
    this.done += count;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (waiter.upTo > this.done) continue;
      this.waiters.splice(i, 1);
      waiter.resolve();
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const runner = this.runner();
        if (!runner) {
          this.log.warn('inbox has inputs but no runner; keeping them in the log only');
          this.clear();
          break;
        }
        const event = this.queue.shift()!;
        try {
          await runner.input(event);
        } catch (err) {
          this.onError(event, err);
        }
        this.settle(1);
      }
    } finally {
      this.pumping = false;
    }
  }
}
