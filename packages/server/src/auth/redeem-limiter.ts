import { BatonError } from '../baton-error.js';
import { TokenBucket, type RateLimit } from '../ws/token-bucket.js';

/** Defaults: 10 attempts per address per minute (burst 10), 120 per minute over all addresses. */
const PER_ADDRESS: RateLimit = { perSecond: 10 / 60, burst: 10 };
const OVERALL: RateLimit = { perSecond: 2, burst: 120 };
/** Addresses not seen for this long are forgotten, so a flood of addresses cannot grow the map. */
const FORGET_AFTER_MS = 10 * 60_000;
const MAX_ADDRESSES = 10_000;

/**
 * Limits attempts to redeem pairing codes and handoff tokens, which need no credential: every
 * attempt counts, successful or not, per client address and over all addresses, so guessing a
 * short code is out of reach. A refused attempt gets `rate_limited` with the wait.
 */
export class RedeemLimiter {
  private readonly byAddress = new Map<string, { bucket: TokenBucket; seen: number }>();
  private readonly overall: TokenBucket;
  /** Attempts refused so far (for metrics and tests). */
  refused = 0;

  constructor(
    private readonly perAddress: RateLimit = PER_ADDRESS,
    overall: RateLimit = OVERALL,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.overall = new TokenBucket(overall, now);
  }

  /** Counts one attempt from `address`; throws `rate_limited` when over either limit. */
  attempt(address: string): void {
    const t = this.now();
    let entry = this.byAddress.get(address);
    if (!entry) {
      if (this.byAddress.size >= MAX_ADDRESSES) this.forgetIdle(t);
      entry = { bucket: new TokenBucket(this.perAddress, this.now), seen: t };
      this.byAddress.set(address, entry);
    }
    entry.seen = t;
    const wait = Math.max(entry.bucket.take(), this.overall.take());
    if (wait > 0) {
      this.refused++;
      throw new BatonError(
        'rate_limited',
        `too many attempts to redeem a code; wait ${Math.ceil(wait / 1000)} s`,
        wait,
      );
    }
  }

  private forgetIdle(t: number): void {
    for (const [address, e] of this.byAddress)
      if (t - e.seen > FORGET_AFTER_MS) this.byAddress.delete(address);
    // Still full: the oldest entries go (a Map iterates in insertion order).
    for (const address of this.byAddress.keys()) {
      if (this.byAddress.size < MAX_ADDRESSES) break;
      this.byAddress.delete(address);
    }
  }
}
