import { z } from 'zod';
import { fromBase64url, toBase64url } from './base64url.js';
import { concat, lengthPrefixed, owned, randomBytes, u32 } from './bytes.js';
import {
  type DeviceIdentity,
  type DevicePublicKeys,
  importAgreementKey,
} from './device-identity.js';
import { type DeviceRegistry } from './device-registry.js';
import { SealError } from './seal-error.js';
import { importSessionKey, type SessionKey } from './session-key.js';
import { type CryptoKey, type CryptoKeyPair, type Subtle } from './webcrypto-types.js';

/**
 * A session key wrapped to one device (docs/protocol.md, "Wrapped session key"):
 * ephemeral-static X25519, HKDF-SHA256 over the shared secret with an info string that binds the
 * session, key epoch, wrapping host, recipient and both public keys, then AES-256-GCM of the raw
 * key with that info as AAD. The host signs the result: without the signature a relay, which
 * knows every device's public key, could wrap a key of its own choosing to a device and then
 * read what that device seals.
 */

export const LABEL_WRAP_INFO = 'baton-seal/1 key-wrap';
export const LABEL_WRAP_SIGNATURE = 'baton-seal/1 key-wrap-sig';

const bytesOf = (n: number) =>
  z.string().refine((t) => fromBase64url(t)?.length === n, `${n} bytes in unpadded base64url`);
const Name = z.string().min(1).max(256);

export const WrappedSessionKey = z
  .object({
    v: z.literal(1),
    session: Name,
    keyEpoch: z.number().int().min(1).max(0xffffffff),
    /** The host that made and wrapped the key; its Ed25519 key signs. */
    wrapper: Name,
    /** The device the key is wrapped to. */
    recipient: Name,
    /** The ephemeral X25519 public key, raw. */
    ephemeralKey: bytesOf(32),
    nonce: bytesOf(12),
    /** AES-256-GCM of the 32-byte key: 48 bytes with the tag. */
    ciphertext: bytesOf(48),
    signature: bytesOf(64),
  })
  .strict();
export type WrappedSessionKey = z.infer<typeof WrappedSessionKey>;

export interface WrapInfoFields {
  readonly session: string;
  readonly keyEpoch: number;
  readonly wrapper: string;
  readonly recipient: string;
  readonly ephemeralKey: Uint8Array;
  readonly recipientKey: Uint8Array;
}

/**
 * info = str(LABEL_WRAP_INFO) ‖ str(session) ‖ u32(keyEpoch) ‖ str(wrapper) ‖ str(recipient)
 *        ‖ ephemeral public key (32) ‖ recipient X25519 public key (32)
 */
export function wrapInfo(fields: WrapInfoFields): Uint8Array<ArrayBuffer> {
  return concat(
    lengthPrefixed(LABEL_WRAP_INFO),
    lengthPrefixed(fields.session),
    u32(fields.keyEpoch),
    lengthPrefixed(fields.wrapper),
    lengthPrefixed(fields.recipient),
    fields.ephemeralKey,
    fields.recipientKey,
  );
}

/** Signature input = str(LABEL_WRAP_SIGNATURE) ‖ info ‖ nonce ‖ ciphertext. */
export function wrapSignatureInput(
  info: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return concat(lengthPrefixed(LABEL_WRAP_SIGNATURE), info, nonce, ciphertext);
}

const subtle = (): Subtle => globalThis.crypto.subtle;

async function keyEncryptionKey(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  info: Uint8Array<ArrayBuffer>,
): Promise<CryptoKey> {
  const shared = new Uint8Array(
    await subtle().deriveBits({ name: 'X25519', public: publicKey }, privateKey, 256),
  );
  // A small-order public key gives an all-zero secret (RFC 7748 §6.1): refuse it.
  if (shared.every((b) => b === 0)) {
    throw new SealError('weak_key', 'the X25519 public key is of small order');
  }
  const hkdfKey = await subtle().importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info },
    hkdfKey,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export interface WrapOptions {
  /** Only for the published test vectors: a fixed ephemeral key pair and nonce. */
  readonly fixedForTestVectors?: { ephemeral: CryptoKeyPair; nonce: Uint8Array };
}

/** The host wraps `sessionKey` (extractable) to `recipient`'s X25519 key and signs it. */
export async function wrapSessionKey(
  host: DeviceIdentity,
  sessionKey: SessionKey,
  recipient: DevicePublicKeys,
  options: WrapOptions = {},
): Promise<WrappedSessionKey> {
  const ephemeral =
    options.fixedForTestVectors?.ephemeral ??
    ((await subtle().generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair);
  const nonce = owned(options.fixedForTestVectors?.nonce ?? randomBytes(12));
  const ephemeralKey = new Uint8Array(await subtle().exportKey('raw', ephemeral.publicKey));
  const recipientKey = fromBase64url(recipient.agreementKey);
  if (!recipientKey || recipientKey.length !== 32) {
    throw new SealError('malformed', `device ${recipient.deviceId} has no valid X25519 key`);
  }
  const info = wrapInfo({
    session: sessionKey.sessionId,
    keyEpoch: sessionKey.epoch,
    wrapper: host.deviceId,
    recipient: recipient.deviceId,
    ephemeralKey,
    recipientKey,
  });
  const kek = await keyEncryptionKey(
    ephemeral.privateKey,
    await importAgreementKey(recipient.agreementKey),
    info,
  );
  const raw = new Uint8Array(await subtle().exportKey('raw', sessionKey.key));
  const ciphertext = new Uint8Array(
    await subtle().encrypt({ name: 'AES-GCM', iv: nonce, additionalData: info }, kek, raw),
  );
  raw.fill(0);
  const signature = new Uint8Array(
    await subtle().sign(
      { name: 'Ed25519' },
      host.signing.privateKey,
      wrapSignatureInput(info, nonce, ciphertext),
    ),
  );
  return {
    v: 1,
    session: sessionKey.sessionId,
    keyEpoch: sessionKey.epoch,
    wrapper: host.deviceId,
    recipient: recipient.deviceId,
    ephemeralKey: toBase64url(ephemeralKey),
    nonce: toBase64url(nonce),
    ciphertext: toBase64url(ciphertext),
    signature: toBase64url(signature),
  };
}

export interface UnwrapOptions {
  /** Where the host's public keys come from (registered at pairing, from the URL fragment). */
  readonly registry: DeviceRegistry;
  /** The device id of the host that owns this session: only it may hand out its keys. */
  readonly expectedWrapper: string;
  /** Import the key extractable: only a host that must wrap it again to others needs that. */
  readonly extractable?: boolean;
}

/**
 * A device unwraps a session key wrapped to it: checks the host's signature first (a key from
 * anyone else is refused), then opens it with its own X25519 private key. Non-extractable.
 */
export async function unwrapSessionKey(
  me: DeviceIdentity,
  input: unknown,
  options: UnwrapOptions,
): Promise<SessionKey> {
  const parsed = WrappedSessionKey.safeParse(input);
  if (!parsed.success) {
    throw new SealError('malformed', 'not a wrapped session key (docs/protocol.md)');
  }
  const wrapped = parsed.data;
  if (wrapped.recipient !== me.deviceId) {
    throw new SealError('context_mismatch', `this key is wrapped to ${wrapped.recipient}`);
  }
  if (wrapped.wrapper !== options.expectedWrapper) {
    throw new SealError(
      'context_mismatch',
      `session ${wrapped.session} is hosted by ${options.expectedWrapper}, not ${wrapped.wrapper}`,
    );
  }
  const ephemeralKey = fromBase64url(wrapped.ephemeralKey)!;
  const nonce = fromBase64url(wrapped.nonce)!;
  const ciphertext = fromBase64url(wrapped.ciphertext)!;
  const info = wrapInfo({
    session: wrapped.session,
    keyEpoch: wrapped.keyEpoch,
    wrapper: wrapped.wrapper,
    recipient: me.deviceId,
    ephemeralKey,
    recipientKey: fromBase64url(me.publicKeys.agreementKey)!,
  });
  // The wrapper's current key; a wrapped key is never history, so there is no counter cut-off.
  const hostKey = await options.registry.signingKeyFor(wrapped.wrapper, wrapped.session, 1);
  const valid = await subtle().verify(
    { name: 'Ed25519' },
    hostKey,
    fromBase64url(wrapped.signature)!,
    wrapSignatureInput(info, nonce, ciphertext),
  );
  if (!valid) {
    throw new SealError('bad_signature', `the wrapped key is not signed by ${wrapped.wrapper}`);
  }
  const kek = await keyEncryptionKey(
    me.agreement.privateKey,
    await importAgreementKey(wrapped.ephemeralKey),
    info,
  );
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(
      await subtle().decrypt({ name: 'AES-GCM', iv: nonce, additionalData: info }, kek, ciphertext),
    );
  } catch {
    throw new SealError('decrypt_failed', 'the wrapped key does not open with this device key');
  }
  try {
    return await importSessionKey(
      wrapped.session,
      wrapped.keyEpoch,
      raw,
      options.extractable ?? false,
    );
  } finally {
    raw.fill(0);
  }
}
