import { BatonError } from '../baton-error.js';

/** First wait before retrying a write the store refused; doubles up to MAX_DELAY_MS. */
const MIN_DELAY_MS = 50;
const MAX_DELAY_MS = 2000;
/** A refusal that is not the store being down (a conflict) is retried this often at most. */
const MAX_OTHER_ATTEMPTS = 5;

export interface AppendUntilStoredOptions {
  /** False once nobody wants the write any more (the runner was replaced, the session deleted). */
  stillWanted(): boolean;
  /** Called before each wait, with the error that made the write fail. */
  onRetry?(error: BatonError, attempt: number): void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `append` until it is stored. Runner output has no client to retry it, so a store that
 * cannot write (full disk, I/O error: `unavailable`) is waited out with capped exponential
 * backoff instead of dropping the output. The caller is held meanwhile, which is the
 * backpressure: a terminal's batcher keeps one write in flight and pauses the PTY when its
 * buffer fills; an agent's emit chain queues behind it. Order is kept because each caller has
 * at most one write in flight.
 *
 * Resolves with `undefined` when the write stopped being wanted. Errors other than
 * `unavailable` and `internal` (for example `not_found` for a deleted session) reject at once;
 * `internal` (a conflict, after which the head was reloaded) is retried a few times.
 */
export async function appendUntilStored<T>(
  append: () => Promise<T>,
  opts: AppendUntilStoredOptions,
): Promise<T | undefined> {
  let delay = opts.minDelayMs ?? MIN_DELAY_MS;
  const maxDelay = opts.maxDelayMs ?? MAX_DELAY_MS;
  let otherFailures = 0;
  for (let attempt = 1; ; attempt++) {
    if (!opts.stillWanted()) return undefined;
    try {
      return await append();
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      if (err.code === 'internal') {
        if (++otherFailures >= MAX_OTHER_ATTEMPTS) throw err;
      } else if (err.code !== 'unavailable') {
        throw err;
      }
      opts.onRetry?.(err, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}
