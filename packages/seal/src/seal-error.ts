/**
 * Why a sealed item was refused. One enum so that the relay, the host and clients report the
 * same reasons, and tests can tell a forgery from a replay from a revoked author.
 */
export type SealErrorCode =
  /** Not a well-formed envelope, wrapped key or pairing value (schema or encoding). */
  | 'malformed'
  /** The envelope names another session, kind, id or author than where it was found. */
  | 'context_mismatch'
  /** The author device is not in the registry. */
  | 'unknown_device'
  /** The author device was revoked before this envelope (its counter is past the cut-off). */
  | 'revoked_device'
  /** The Ed25519 signature does not verify under the author's registered public key. */
  | 'bad_signature'
  /** The author's counter did not grow: an old envelope replayed, or reordered. */
  | 'replayed'
  /** This key ring holds no key for the envelope's session and key epoch. */
  | 'no_key'
  /** AES-GCM refused the ciphertext: tampered, or bound to other associated data. */
  | 'decrypt_failed'
  /** The envelope is sealed under an older key epoch than the session's current one. */
  | 'stale_epoch'
  /**
   * A public key of small order (Ed25519), low order (X25519) or non-canonical encoding: it
   * proves nothing, so it is refused wherever keys enter (weak-public-key.ts).
   */
  | 'weak_key';

export class SealError extends Error {
  override readonly name = 'SealError';
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
  }
}
