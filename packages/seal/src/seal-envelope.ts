import { toBase64url } from './base64url.js';
import { owned, randomBytes } from './bytes.js';
import { type DeviceIdentity } from './device-identity.js';
import {
  envelopeAad,
  envelopeSignatureInput,
  SEAL_VERSION,
  type SealedEnvelope,
  type SealedKind,
} from './envelope-format.js';
import { type SessionKey } from './session-key.js';

export interface SealRequest {
  /** The author: its device id goes into the AAD, its Ed25519 key signs. */
  readonly identity: DeviceIdentity;
  /** The session key to seal under (normally the key ring's current epoch). */
  readonly sessionKey: SessionKey;
  readonly kind: SealedKind;
  /** The event id, input id or snapshot id (author-chosen, unique in the session). */
  readonly id: string;
  /** The author's next counter in this session: above every counter it used there before. */
  readonly counter: number;
  readonly plaintext: Uint8Array;
  /**
   * Only for the published test vectors. Every real envelope gets a fresh random 96-bit nonce:
   * a nonce reused under one key breaks AES-GCM, and nothing but randomness is cheap to keep
   * unique across a host and its devices that seal under the same key with no coordination.
   */
  readonly fixedNonceForTestVectors?: Uint8Array;
}

/**
 * Seals `plaintext` with AES-256-GCM under the session key, binding session, kind, id, author,
 * key epoch and counter as associated data, and signs the result with the author's Ed25519 key.
 */
export async function sealEnvelope(request: SealRequest): Promise<SealedEnvelope> {
  const { identity, sessionKey, kind, id, counter } = request;
  const nonce = owned(request.fixedNonceForTestVectors ?? randomBytes(12));
  if (nonce.length !== 12) throw new RangeError('an AES-GCM nonce here is 12 bytes');
  const aad = envelopeAad({
    kind,
    session: sessionKey.sessionId,
    id,
    author: identity.deviceId,
    keyEpoch: sessionKey.epoch,
    counter,
  });
  const ciphertext = new Uint8Array(
    await globalThis.crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 },
      sessionKey.key,
      owned(request.plaintext),
    ),
  );
  const signature = new Uint8Array(
    await globalThis.crypto.subtle.sign(
      { name: 'Ed25519' },
      identity.signing.privateKey,
      envelopeSignatureInput(aad, nonce, ciphertext),
    ),
  );
  return {
    v: SEAL_VERSION,
    kind,
    session: sessionKey.sessionId,
    id,
    author: identity.deviceId,
    keyEpoch: sessionKey.epoch,
    counter,
    nonce: toBase64url(nonce),
    ciphertext: toBase64url(ciphertext),
    signature: toBase64url(signature),
  };
}
