import type { NewLogEvent, SessionStatus } from '@baton/protocol';
import type { RunnerContext } from '../runner.js';

/**
 * Serializes a runner's writes to its log. Agent output arrives as a stream of callbacks; each
 * write is queued behind the previous one, so the log holds events in exactly the order the
 * agent produced them even though each commit is asynchronous. A failed write is logged and
 * does not block the ones after it.
 */
export class EmitChain {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: RunnerContext) {}

  emit(events: NewLogEvent[]): Promise<void> {
    if (events.length === 0) return this.tail;
    return this.enqueue(async () => {
      await this.ctx.emit(events);
    });
  }

  status(
    status: SessionStatus,
    extra?: { reason?: string; exitCode?: number; signal?: number },
  ): Promise<void> {
    return this.enqueue(() => this.ctx.setStatus(status, extra));
  }

  /** Resolves when every write queued so far has finished. */
  drained(): Promise<void> {
    return this.tail;
  }

  /**
   * The returned promise rejects when the write fails, for callers that wait; callers may also
   * `void` it safely, because the `catch` below is attached to that same promise, so its
   * rejection is handled (and logged) and never reaches the process as an unhandled rejection.
   */
  private enqueue(write: () => Promise<void>): Promise<void> {
    const run = this.tail.then(write);
    this.tail = run.catch((err: unknown) => {
      this.ctx.log.error('could not store agent events', {
        error: err instanceof Error ? err.message : String(err),
      });
    });
    return run;
  }
}
