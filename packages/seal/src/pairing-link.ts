import { z } from 'zod';
import { fromBase64url, toBase64url } from './base64url.js';
import { concat, lengthPrefixed, owned, randomBytes } from './bytes.js';
import { importSigningKey, type DeviceIdentity, type DevicePublicKeys } from './device-identity.js';
import { SealError } from './seal-error.js';
import { type CryptoKey } from './webcrypto-types.js';
import { refuseWeakKeys } from './weak-public-key.js';

/**
 * Pairing a device with a host across a relay (docs/protocol.md, "Pairing across a relay"). The
 * host's public keys and a one-time pairing secret travel in the pairing URL's fragment, which a
 * browser never sends to any server; the new device answers with an introduction of its own
 * public keys, MACed with the secret (so the relay, which never saw it, cannot introduce keys of
 * its own) and signed with the new signing key (so the device holds what it names).
 */

const LABEL_INTRODUCTION = 'baton-seal/1 introduction';
const LABEL_PAIRING_MAC = 'baton-seal/1 pairing-mac';
const LABEL_SAFETY_NUMBER = 'baton-seal/1 safety-number';

const Name = z.string().min(1).max(256);
const bytesOf = (n: number) =>
  z.string().refine((t) => fromBase64url(t)?.length === n, `${n} bytes in unpadded base64url`);

/** What the fragment carries for the keys (besides the relay's own `code`). */
export interface PairingKeys {
  /** The relay's pairing code, redeemed there for a device token. */
  readonly code?: string;
  readonly host: DevicePublicKeys;
  /** The one-time 32-byte pairing secret, base64url. */
  readonly pairingSecret: string;
}

const FragmentFields = z.object({
  code: z.string().min(1).max(64).optional(),
  host: Name,
  hk: bytesOf(32),
  hx: bytesOf(32),
  ps: bytesOf(32),
});

/** A fresh pairing secret: 32 random bytes, base64url. The host keeps it until redeemed. */
export function newPairingSecret(): string {
  return toBase64url(randomBytes(32));
}

/** The fragment (without `#`): `code=…&host=…&hk=…&hx=…&ps=…`. */
export function encodePairingFragment(keys: PairingKeys): string {
  const params = new URLSearchParams();
  if (keys.code !== undefined) params.set('code', keys.code);
  params.set('host', keys.host.deviceId);
  params.set('hk', keys.host.signingKey);
  params.set('hx', keys.host.agreementKey);
  params.set('ps', keys.pairingSecret);
  return params.toString();
}

/**
 * Reads a pairing fragment (with or without its `#`). Parameters it does not know (such as the
 * LAN pairing's `fp`) are left to their readers.
 */
export function decodePairingFragment(fragment: string): PairingKeys {
  const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
  const fields: Record<string, string> = {};
  for (const name of ['code', 'host', 'hk', 'hx', 'ps']) {
    const values = params.getAll(name);
    if (values.length > 1) throw new SealError('malformed', `the pairing link repeats ${name}`);
    if (values[0] !== undefined) fields[name] = values[0];
  }
  const parsed = FragmentFields.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SealError(
      'malformed',
      `this pairing link is incomplete or damaged (${issue?.path.join('.') ?? '?'}): scan the code again or copy the whole link`,
    );
  }
  const { code, host, hk, hx, ps } = parsed.data;
  // The link's keys are what the device pins for its host: a weak one is never pinned.
  const hostKeys: DevicePublicKeys = { deviceId: host, signingKey: hk, agreementKey: hx };
  refuseWeakKeys(hostKeys, `the pairing link's host ${host}`);
  return {
    ...(code !== undefined ? { code } : {}),
    host: hostKeys,
    pairingSecret: ps,
  };
}

export const Introduction = z
  .object({
    v: z.literal(1),
    host: Name,
    deviceId: Name,
    signingKey: bytesOf(32),
    agreementKey: bytesOf(32),
    mac: bytesOf(32),
    signature: bytesOf(64),
  })
  .strict();
export type Introduction = z.infer<typeof Introduction>;

function introductionBody(host: string, keys: DevicePublicKeys): Uint8Array<ArrayBuffer> {
  return concat(
    lengthPrefixed(LABEL_INTRODUCTION),
    lengthPrefixed(host),
    lengthPrefixed(keys.deviceId),
    fromBase64url(keys.signingKey)!,
    fromBase64url(keys.agreementKey)!,
  );
}

async function macKey(pairingSecret: string): Promise<CryptoKey> {
  const secret = fromBase64url(pairingSecret);
  if (!secret || secret.length !== 32) {
    throw new SealError('malformed', 'a pairing secret is 32 bytes in base64url');
  }
  const subtle = globalThis.crypto.subtle;
  const ikm = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: owned(lengthPrefixed(LABEL_PAIRING_MAC)),
    },
    ikm,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

/** The new device introduces its public keys to the host named in the pairing link. */
export async function createIntroduction(
  identity: DeviceIdentity,
  pairing: PairingKeys,
): Promise<Introduction> {
  const subtle = globalThis.crypto.subtle;
  const body = introductionBody(pairing.host.deviceId, identity.publicKeys);
  const mac = new Uint8Array(await subtle.sign('HMAC', await macKey(pairing.pairingSecret), body));
  const signature = new Uint8Array(
    await subtle.sign({ name: 'Ed25519' }, identity.signing.privateKey, concat(body, mac)),
  );
  return {
    v: 1,
    host: pairing.host.deviceId,
    deviceId: identity.deviceId,
    signingKey: identity.publicKeys.signingKey,
    agreementKey: identity.publicKeys.agreementKey,
    mac: toBase64url(mac),
    signature: toBase64url(signature),
  };
}

/**
 * The host checks an introduction against the secret of the pairing it is waiting for and
 * returns the device's public keys to register. A wrong MAC means the introducer never saw the
 * link (or the relay substituted keys); a wrong signature means it does not hold its key.
 */
export async function acceptIntroduction(
  input: unknown,
  expected: { hostId: string; pairingSecret: string; deviceId?: string },
): Promise<DevicePublicKeys> {
  const parsed = Introduction.safeParse(input);
  if (!parsed.success) throw new SealError('malformed', 'not a device introduction');
  const intro = parsed.data;
  if (intro.host !== expected.hostId) {
    throw new SealError('context_mismatch', `the introduction is for host ${intro.host}`);
  }
  if (expected.deviceId !== undefined && intro.deviceId !== expected.deviceId) {
    throw new SealError(
      'context_mismatch',
      `the introduction names ${intro.deviceId}, but ${expected.deviceId} redeemed the code`,
    );
  }
  const keys: DevicePublicKeys = {
    deviceId: intro.deviceId,
    signingKey: intro.signingKey,
    agreementKey: intro.agreementKey,
  };
  // Before the signature: under a small-order key it would verify and prove nothing.
  refuseWeakKeys(keys, `the introduced device ${intro.deviceId}`);
  const subtle = globalThis.crypto.subtle;
  const body = introductionBody(intro.host, keys);
  const mac = fromBase64url(intro.mac)!;
  if (!(await subtle.verify('HMAC', await macKey(expected.pairingSecret), mac, body))) {
    throw new SealError(
      'bad_signature',
      'the introduction was not made with this pairing link: pair again from a fresh code',
    );
  }
  const valid = await subtle.verify(
    { name: 'Ed25519' },
    await importSigningKey(intro.signingKey),
    fromBase64url(intro.signature)!,
    concat(body, mac),
  );
  if (!valid) {
    throw new SealError('bad_signature', 'the introduction is not signed by the key it names');
  }
  return keys;
}

/**
 * The safety number both screens show when a typed short code pairs across a relay: the first
 * 60 bits of SHA-256(label ‖ host signing key ‖ device signing key) as a big-endian integer,
 * modulo 10¹², written as twelve digits in groups of four. Equal numbers mean both ends hold the
 * same two keys; a relay substituting keys on both sides would have to find a pair with equal
 * numbers (about 2⁴⁰ tries) within the pairing code's five minutes.
 */
export async function safetyNumber(
  hostSigningKey: string,
  deviceSigningKey: string,
): Promise<string> {
  const host = fromBase64url(hostSigningKey);
  const device = fromBase64url(deviceSigningKey);
  if (host?.length !== 32 || device?.length !== 32) {
    throw new SealError('malformed', 'a signing key is 32 bytes in base64url');
  }
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest(
      'SHA-256',
      concat(lengthPrefixed(LABEL_SAFETY_NUMBER), host, device),
    ),
  );
  let bits = 0n;
  for (const byte of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(byte);
  const digits = ((bits >> 4n) % 10n ** 12n).toString().padStart(12, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
}
