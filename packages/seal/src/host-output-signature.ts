import canonicalize from 'canonicalize';
import { fromBase64url, toBase64url } from './base64url.js';
import { concat, lengthPrefixed, owned, u64, utf8 } from './bytes.js';
import { SealError } from './seal-error.js';
import { type CryptoKey } from './webcrypto-types.js';

/**
 * The host's signature on its output (docs/protocol.md, "Signed host output"). A host signs
 * every `out` frame it sends its relay; the relay verifies it with the signing key it pinned at
 * the host's first registration before it commits anything, so a stolen host token alone cannot
 * put events into a session. The relay checks without reading more than it already reads.
 *
 * Signed bytes = str(LABEL) ‖ str(sessionId) ‖ u64(n) ‖ UTF-8 of JCS(body)
 * where JCS is the JSON Canonicalization Scheme (RFC 8785): both ends derive the same bytes from
 * the parsed body, whatever whitespace or key order the frame had on the wire. The body comes
 * last, so it needs no length prefix (nothing follows it to run into).
 */

export const LABEL_HOST_OUT = 'baton-seal/1 host-out';
const LABEL_KEY_FINGERPRINT = 'baton-seal/1 key-fingerprint';

/** The exact bytes a host signs for its `out` number `n` of `sessionId` with `body`. */
export function hostOutSignatureInput(
  sessionId: string,
  n: number,
  body: unknown,
): Uint8Array<ArrayBuffer> {
  const canonical = canonicalize(body);
  if (canonical === undefined) throw new TypeError('a host output body is a JSON value');
  return concat(lengthPrefixed(LABEL_HOST_OUT), lengthPrefixed(sessionId), u64(n), utf8(canonical));
}

/** Signs an output frame's content with the host's Ed25519 private key: 64 bytes, base64url. */
export async function signHostOut(
  signingKey: CryptoKey,
  sessionId: string,
  n: number,
  body: unknown,
): Promise<string> {
  const signature = await globalThis.crypto.subtle.sign(
    { name: 'Ed25519' },
    signingKey,
    hostOutSignatureInput(sessionId, n, body),
  );
  return toBase64url(new Uint8Array(signature));
}

/**
 * Checks a host output signature with the host's pinned public key (imported with
 * `importSigningKey`). Throws a SealError (`malformed` or `bad_signature`) on anything else.
 */
export async function verifyHostOut(
  verifyKey: CryptoKey,
  sessionId: string,
  n: number,
  body: unknown,
  signature: string | undefined,
): Promise<void> {
  const raw = signature === undefined ? undefined : fromBase64url(signature);
  if (raw?.length !== 64) {
    throw new SealError('malformed', 'a host output carries a 64-byte Ed25519 signature (sig)');
  }
  const valid = await globalThis.crypto.subtle.verify(
    { name: 'Ed25519' },
    verifyKey,
    owned(raw),
    hostOutSignatureInput(sessionId, n, body),
  );
  if (!valid) {
    throw new SealError(
      'bad_signature',
      `output ${n} of session ${sessionId} is not signed by this host's key: forged or altered`,
    );
  }
}

/**
 * A public key's fingerprint, for people to compare (a host prints it at start; `baton hosts`
 * and the relay's listings show it): the first 16 bytes of SHA-256(str(label) ‖ raw key), as
 * eight groups of four hex digits.
 */
export async function keyFingerprint(publicKey: string): Promise<string> {
  const raw = fromBase64url(publicKey);
  if (raw?.length !== 32) throw new SealError('malformed', 'a public key is 32 bytes in base64url');
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest(
      'SHA-256',
      concat(lengthPrefixed(LABEL_KEY_FINGERPRINT), raw),
    ),
  );
  const hex = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return hex.match(/.{4}/g)!.join(' ');
}
