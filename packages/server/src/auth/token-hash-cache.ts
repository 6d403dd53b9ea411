import { hashToken } from './tokens.js';

/**
 * The SHA-256 of each token presented lately, so that a reconnect storm (every device saying
 * `hello` again within a second) and busy HTTP clients hash each token once, not once per
 * connection or request (15–25 µs each on a loaded 2-core machine, measured).
 *
 * Only the hash is cached, never a verdict: `authenticate` still looks the hash up and checks
 * revocation every time. Bounded: when full it starts over, so hostile clients presenting random
 * tokens cost memory only up to the bound.
 */
export class TokenHashCache {
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly maxEntries = 4096,
    private readonly hash: (token: string) => string = hashToken,
  ) {}

  of(token: string): string {
    const known = this.hashes.get(token);
    if (known !== undefined) return known;
    const hash = this.hash(token);
    if (this.hashes.size >= this.maxEntries) this.hashes.clear();
    this.hashes.set(token, hash);
    return hash;
  }
}
