import { fromBase64url, toBase64url } from './base64url.js';
import { concat, hexBytes, owned } from './bytes.js';
import { SealError } from './seal-error.js';
import { refuseWeakPublicKey } from './weak-public-key.js';
import {
  type CryptoKey,
  type CryptoKeyPair,
  type KeyUsage,
  type Subtle,
} from './webcrypto-types.js';

/**
 * A device's identity: an Ed25519 pair that signs what the device seals (and, on a host, the
 * session keys it wraps) and an X25519 pair that session keys are wrapped to. The private keys
 * are WebCrypto keys, non-extractable unless the caller must persist them itself: a browser
 * keeps non-extractable keys in IndexedDB; Node has no such store, so a host or CLI generates
 * them extractable and writes `exportDeviceIdentity`'s output to a file only it can read.
 */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly signing: CryptoKeyPair;
  readonly agreement: CryptoKeyPair;
  readonly publicKeys: DevicePublicKeys;
}

/**
 * What others need to know of a device: both public keys as raw 32-byte keys (RFC 8032 and
 * RFC 7748 encodings) in unpadded base64url.
 */
export interface DevicePublicKeys {
  readonly deviceId: string;
  readonly signingKey: string;
  readonly agreementKey: string;
}

/** A persisted identity: both private keys as PKCS#8 DER in base64url. Secret. */
export interface ExportedDeviceIdentity {
  readonly deviceId: string;
  readonly signingPrivateKey: string;
  readonly agreementPrivateKey: string;
}

const subtle = (): Subtle => globalThis.crypto.subtle;

export async function generateDeviceIdentity(
  deviceId: string,
  options: { extractable?: boolean } = {},
): Promise<DeviceIdentity> {
  const extractable = options.extractable ?? false;
  const signing = (await subtle().generateKey({ name: 'Ed25519' }, extractable, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const agreement = (await subtle().generateKey({ name: 'X25519' }, extractable, [
    'deriveBits',
  ])) as CryptoKeyPair;
  return {
    deviceId,
    signing,
    agreement,
    publicKeys: await publicKeysOf(deviceId, signing, agreement),
  };
}

export async function exportDeviceIdentity(
  identity: DeviceIdentity,
): Promise<ExportedDeviceIdentity> {
  if (!identity.signing.privateKey.extractable || !identity.agreement.privateKey.extractable) {
    throw new TypeError('this identity was generated non-extractable; it cannot be exported');
  }
  return {
    deviceId: identity.deviceId,
    signingPrivateKey: toBase64url(
      new Uint8Array(await subtle().exportKey('pkcs8', identity.signing.privateKey)),
    ),
    agreementPrivateKey: toBase64url(
      new Uint8Array(await subtle().exportKey('pkcs8', identity.agreement.privateKey)),
    ),
  };
}

/** Reads an exported identity back (extractable, so it can be exported again). */
export async function importDeviceIdentity(
  exported: ExportedDeviceIdentity,
): Promise<DeviceIdentity> {
  const signingPkcs8 = fromBase64url(exported.signingPrivateKey);
  const agreementPkcs8 = fromBase64url(exported.agreementPrivateKey);
  if (!signingPkcs8 || !agreementPkcs8) {
    throw new SealError('malformed', 'an exported identity holds base64url PKCS#8 keys');
  }
  try {
    return await identityFromPkcs8(exported.deviceId, signingPkcs8, agreementPkcs8);
  } catch {
    throw new SealError(
      'malformed',
      'the exported identity does not hold an Ed25519 and an X25519 PKCS#8 key: restore it from a backup or pair this device again',
    );
  }
}

// PKCS#8 wrappers of a raw 32-byte private key (RFC 8410): a fixed DER header, then the key.
const ED25519_PKCS8_PREFIX = hexBytes('302e020100300506032b657004220420');
const X25519_PKCS8_PREFIX = hexBytes('302e020100300506032b656e04220420');

/**
 * An identity from two fixed 32-byte private keys. Only for the published test vectors, which
 * need keys anyone can reproduce; a real identity comes from `generateDeviceIdentity`.
 */
export async function identityFromSeeds(
  deviceId: string,
  signingSeed: Uint8Array,
  agreementSeed: Uint8Array,
): Promise<DeviceIdentity> {
  if (signingSeed.length !== 32 || agreementSeed.length !== 32) {
    throw new RangeError('each seed is 32 bytes');
  }
  return identityFromPkcs8(
    deviceId,
    concat(ED25519_PKCS8_PREFIX, signingSeed),
    concat(X25519_PKCS8_PREFIX, agreementSeed),
  );
}

async function identityFromPkcs8(
  deviceId: string,
  signingPkcs8: Uint8Array,
  agreementPkcs8: Uint8Array,
): Promise<DeviceIdentity> {
  // WebCrypto derives no public key from a private one; the JWK export carries it (x).
  const signingPrivate = await subtle().importKey(
    'pkcs8',
    owned(signingPkcs8),
    { name: 'Ed25519' },
    true,
    ['sign'],
  );
  const agreementPrivate = await subtle().importKey(
    'pkcs8',
    owned(agreementPkcs8),
    { name: 'X25519' },
    true,
    ['deriveBits'],
  );
  const signingPublic = await publicFromPrivate(signingPrivate, 'Ed25519', ['verify']);
  const agreementPublic = await publicFromPrivate(agreementPrivate, 'X25519', []);
  const signing = { privateKey: signingPrivate, publicKey: signingPublic };
  const agreement = { privateKey: agreementPrivate, publicKey: agreementPublic };
  return {
    deviceId,
    signing,
    agreement,
    publicKeys: await publicKeysOf(deviceId, signing, agreement),
  };
}

async function publicFromPrivate(
  privateKey: CryptoKey,
  name: 'Ed25519' | 'X25519',
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const jwk = await subtle().exportKey('jwk', privateKey);
  const { kty, crv, x } = jwk;
  if (!kty || !crv || !x) throw new TypeError(`no public key in the ${name} private key`);
  return subtle().importKey('jwk', { kty, crv, x }, { name }, true, usages);
}

async function publicKeysOf(
  deviceId: string,
  signing: CryptoKeyPair,
  agreement: CryptoKeyPair,
): Promise<DevicePublicKeys> {
  return {
    deviceId,
    signingKey: toBase64url(new Uint8Array(await subtle().exportKey('raw', signing.publicKey))),
    agreementKey: toBase64url(new Uint8Array(await subtle().exportKey('raw', agreement.publicKey))),
  };
}

/** Imports a registered Ed25519 public key (raw, base64url) for verifying; refuses weak ones. */
export async function importSigningKey(encoded: string): Promise<CryptoKey> {
  refuseWeakPublicKey('Ed25519', encoded, 'a signer');
  return importRaw(encoded, 'Ed25519', ['verify']);
}

/** Imports an X25519 public key (raw, base64url) to wrap session keys to; refuses weak ones. */
export async function importAgreementKey(encoded: string): Promise<CryptoKey> {
  refuseWeakPublicKey('X25519', encoded, 'a key-agreement party');
  return importRaw(encoded, 'X25519', []);
}

async function importRaw(
  encoded: string,
  name: 'Ed25519' | 'X25519',
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const raw = fromBase64url(encoded);
  if (!raw || raw.length !== 32) {
    throw new SealError('malformed', `a ${name} public key is 32 bytes in base64url`);
  }
  try {
    return await subtle().importKey('raw', raw, { name }, true, usages);
  } catch {
    throw new SealError('malformed', `not a valid ${name} public key`);
  }
}
