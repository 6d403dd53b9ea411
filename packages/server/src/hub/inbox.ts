import type { InputEvent, Runner } from '../runners/runner.js';
import type { Logger } from '../logger.js';

/**
 * A session's inbox: every committed input, from every device, reaches the runner one at a time
 * in log order. The next input is handed over only after the runner has taken the previous one.
 */
export class Inbox {
  private readonly queue: InputEvent[] = [];
  private pumping = false;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    private readonly runner: () => Runner | undefined,
    private readonly onError: (event: InputEvent, error: unknown) => void,
    private readonly log: Logger,
  ) {}

  push(event: InputEvent): void {
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

  /** Resolves once every input pushed so far was handed to the runner (or dropped with it). */
  drained(): Promise<void> {
    if (!this.pumping && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Drops inputs not yet handed over (the runner went away; they stay in the log). */
  clear(): void {
    this.queue.length = 0;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const runner = this.runner();
        if (!runner) {
          this.log.warn('inbox has inputs but no runner; keeping them in the log only');
          this.queue.length = 0;
          break;
        }
        const event = this.queue.shift()!;
        try {
          await runner.input(event);
        } catch (err) {
          this.onError(event, err);
        }
      }
    } finally {
      this.pumping = false;
      // The loop ends only with the queue empty, so every waiter's inputs were handed over.
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }
}
