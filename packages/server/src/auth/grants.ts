import { randomBytes } from 'node:crypto';
import type { Role } from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import type { GrantRecord, Store } from '../storage/store.js';
import { hashToken } from './tokens.js';

/** Letters that cannot be mistaken for each other when read off a phone or typed (no I, L, O, U). */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** How long a pairing code or handoff token lives unless asked otherwise, and at most. */
export const GRANT_MAX_TTL_MS = 5 * 60_000;

export interface IssueGrant {
  kind: GrantRecord['kind'];
  role: Role;
  sessionScope?: string;
  mode?: string;
  createdBy: string;
  /** At most GRANT_MAX_TTL_MS. */
  ttlMs?: number;
  /**
   * `short`: 10 characters shown as XXXXX-XXXXX (50 bits), to read off a screen and type; brute
   * force is out of reach within 5 minutes under the redeem rate limit. `long`: 43 characters
   * (256 bits), for links and QR codes only.
   */
  length: 'short' | 'long';
}

/**
 * Single-use, expiring grants: pairing codes and handoff tokens. Only a hash of a code is
 * stored, so a copy of the database cannot redeem one. Redeeming marks the grant used in the
 * store before anything else happens (`Store.useGrant` is the one place the single-use rule is
 * decided), so two devices redeeming the same code at once get one success and one
 * `already_used`; if creating the device fails afterwards, the code stays spent and the user
 * asks for a new one.
 */
export class Grants {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(req: IssueGrant): Promise<{ code: string; expiresAt: number }> {
    const ttl = Math.min(req.ttlMs ?? GRANT_MAX_TTL_MS, GRANT_MAX_TTL_MS);
    const code =
      req.length === 'short' ? shortCode() : 'bh_' + randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const record: GrantRecord = {
      codeHash: hashToken(normalizeCode(code)),
      kind: req.kind,
      role: req.role,
      createdBy: req.createdBy,
      createdAt,
      expiresAt: createdAt + ttl,
    };
    if (req.sessionScope !== undefined) record.sessionScope = req.sessionScope;
    if (req.mode !== undefined) record.mode = req.mode;
    await this.store.insertGrant(record);
    return { code, expiresAt: record.expiresAt };
  }

  /**
   * The grant a code names, without spending it (undefined when unknown): lets a caller refuse a
   * request it could never honour before the code is spent. `redeem` still decides.
   */
  peek(code: string): Promise<GrantRecord | undefined> {
    return this.store.findGrant(hashToken(normalizeCode(code)));
  }

  /**
   * Spends a grant for `deviceId` and returns it. Refuses an unknown code (`not_found`), one of
   * another kind or for another session (`not_found`: a code says nothing about other
   * sessions), an expired one (`expired`) and a spent one (`already_used`).
   */
  async redeem(
    kind: GrantRecord['kind'],
    code: string,
    deviceId: string,
    sessionId?: string,
  ): Promise<GrantRecord> {
    const hash = hashToken(normalizeCode(code));
    const grant = await this.store.findGrant(hash);
    const what = kind === 'pair' ? 'pairing code' : 'handoff token';
    if (
      !grant ||
      grant.kind !== kind ||
      (sessionId !== undefined && grant.sessionScope !== sessionId)
    )
      throw new BatonError('not_found', `unknown ${what}: check it, or ask for a new one`);
    if (grant.usedAt !== undefined)
      throw new BatonError('already_used', `this ${what} was already used: ask for a new one`);
    const at = this.now();
    if (at >= grant.expiresAt)
      throw new BatonError(
        'expired',
        `this ${what} expired: ask for a new one (they last 5 minutes)`,
      );
    if (!(await this.store.useGrant(hash, at, deviceId)))
      throw new BatonError('already_used', `this ${what} was already used: ask for a new one`);
    return { ...grant, usedAt: at, usedBy: deviceId };
  }

  /** The device that spent the grant with this hash (`grantHash`), if it was spent. */
  async spentBy(codeHash: string): Promise<string | undefined> {
    return (await this.store.findGrant(codeHash))?.usedBy;
  }
}

/** The stored form of a code: its hash, so a pairing can be watched without keeping the code. */
export function grantHash(code: string): string {
  return hashToken(normalizeCode(code));
}

function shortCode(): string {
  const bytes = randomBytes(10);
  let out = '';
  for (let i = 0; i < 10; i++) out += CODE_ALPHABET[bytes[i]! & 31];
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/**
 * The form a code is hashed in: short codes are typed by people, so case, spaces and dashes do
 * not matter, and the letters people confuse with digits read as those digits.
 */
export function normalizeCode(code: string): string {
  if (code.startsWith('bh_')) return code;
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}
