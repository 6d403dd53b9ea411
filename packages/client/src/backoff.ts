/** Parameters of the reconnect backoff. */
export interface BackoffOptions {
  /** Delay ceiling of the first attempt, in milliseconds. Default 250. */
  baseMs?: number;
  /** Largest ceiling, in milliseconds. Default 10 000. */
  capMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 250;
export const DEFAULT_BACKOFF_CAP_MS = 10_000;

/**
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(cap, base * 2^(attempt-1))).
 * Randomising the whole interval spreads the reconnects of many clients after a server restart
 * instead of letting them arrive in waves.
 *
 * @param attempt 1 for the first retry, 2 for the second, …
 * @param random a source of numbers in [0, 1), injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(cap, base * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
