import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Owner credential: full control, and the only credential that can register devices. */
export function newOwnerToken(): string {
  return 'bo_' + randomBytes(32).toString('base64url');
}

/** Device credential: one per browser profile, phone or CLI install. Stored only as a hash. */
export function newDeviceToken(): string {
  return 'bd_' + randomBytes(32).toString('base64url');
}

/** Tokens carry 256 bits of entropy, so an unsalted SHA-256 is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random id of `length` base32 characters (5 bits each). */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

export function newSessionId(): string {
  return 's_' + randomId(20);
}

export function newDeviceId(): string {
  return 'd_' + randomId(20);
}

/**
 * A new epoch for a session's log: 80 random bits, so a restored log never reuses the epoch of
 * the history it replaced.
 */
export function newEpoch(): string {
  return 'e_' + randomId(16);
}

export function newConnectionId(): string {
  return 'c_' + randomId(16);
}
