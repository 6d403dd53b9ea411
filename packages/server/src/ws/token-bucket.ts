/** Limits for one connection's token bucket. */
export interface RateLimit {
  /** Frames per second refilled, sustained. */
  perSecond: number;
  /** Frames that may arrive at once after a quiet period. */
  burst: number;
}

/**
 * A token bucket: `burst` tokens, refilled at `perSecond`; each frame takes one. Time comes from
 * `now()` so it can be driven in a unit test; the server uses `performance.now()`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  /** Takes one token: 0 when allowed, else the milliseconds until one is available. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(
      this.limit.burst,
      this.tokens + ((t - this.last) * this.limit.perSecond) / 1000,
    );
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond));
  }
}
