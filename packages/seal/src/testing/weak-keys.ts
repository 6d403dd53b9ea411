import { toBase64url } from '../base64url.js';

/**
 * Public keys that must be refused wherever keys enter (docs/security.md, "Key checks"), written
 * out independently of weak-public-key.ts's tables: libsodium's Ed25519 small-order blocklist
 * with the non-canonical encodings y ≥ p, and the X25519 low-order list of RFC 7748 §7, each
 * also with the top bit set (Ed25519's sign of x; ignored by X25519). For tests only.
 */
export interface WeakKey {
  readonly what: string;
  /** Raw 32 bytes, unpadded base64url, as keys travel. */
  readonly key: string;
}

const ED25519: readonly [string, string][] = [
  ['the identity (y = 1)', '0100000000000000000000000000000000000000000000000000000000000000'],
  ['order 2 (y = p − 1)', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['order 4 (y = 0)', '0000000000000000000000000000000000000000000000000000000000000000'],
  ['order 8 (26e8…)', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
  ['order 8 (c717…)', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
  ['non-canonical y = p (0)', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  [
    'non-canonical y = p + 1 (1)',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ],
  ['non-canonical y = p + 2', 'efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  [
    'non-canonical y = 2^255 − 1',
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ],
];

const X25519: readonly [string, string][] = [
  ['u = 0', '0000000000000000000000000000000000000000000000000000000000000000'],
  ['u = 1', '0100000000000000000000000000000000000000000000000000000000000000'],
  ['order 8 (e0eb…)', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
  ['order 8 (5f9c…)', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'],
  ['u = p − 1', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['u = p (0)', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['u = p + 1 (1)', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
];

function withTopBits(list: readonly [string, string][]): WeakKey[] {
  return list.flatMap(([what, hex]) => {
    const raw = Buffer.from(hex, 'hex');
    const high = Uint8Array.from(raw);
    high[31] = raw[31]! | 0x80;
    return [
      { what, key: toBase64url(raw) },
      { what: `${what}, top bit set`, key: toBase64url(high) },
    ];
  });
}

/** Ed25519 public keys of small order or non-canonical encoding. */
export const WEAK_SIGNING_KEYS: readonly WeakKey[] = withTopBits(ED25519);

/** X25519 public keys of low order (every key agreement with them is all zero). */
export const WEAK_AGREEMENT_KEYS: readonly WeakKey[] = withTopBits(X25519);

/**
 * A forged Ed25519 signature that verifies under the identity key for every message with
 * cofactorless verification: R = the identity, S = 0 (64 bytes, base64url).
 */
export const IDENTITY_KEY_FORGERY = toBase64url(Uint8Array.from([1, ...new Uint8Array(63)]));
