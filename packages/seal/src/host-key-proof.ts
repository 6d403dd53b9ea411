import { fromBase64url, toBase64url } from './base64url.js';
import { concat, lengthPrefixed } from './bytes.js';
import { SealError } from './seal-error.js';
import { type CryptoKey } from './webcrypto-types.js';

/**
 * A host's proof that it holds the private half of the signing key it registers (docs/protocol.md,
 * "Proof of possession"): without it, a host with an owner token could register another party's
 * public key as its own, and the relay's listings would show that party's fingerprint for it.
 *
 * Signed bytes = str(LABEL) ‖ str(token) ‖ signingKey (32) ‖ agreementKey (32)
 *
 * The proof is bound to the host's grant (its token) rather than to a relay nonce: a hello can
 * only be replayed by whoever holds the token, who can connect as that host anyway, and it needs
 * no round trip before `host.hello`. The agreement key is bound by the same signature (an X25519
 * key cannot sign), as the roster binds every device's.
 */

export const LABEL_HOST_KEY_PROOF = 'baton-seal/1 host-key-proof';

export interface HostPublicKeys {
  readonly signingKey: string;
  readonly agreementKey: string;
}

/** The exact bytes a host signs to prove it holds `keys` for the grant `token`. */
export function hostKeyProofInput(token: string, keys: HostPublicKeys): Uint8Array<ArrayBuffer> {
  const signing = fromBase64url(keys.signingKey);
  const agreement = fromBase64url(keys.agreementKey);
  if (signing?.length !== 32 || agreement?.length !== 32) {
    throw new SealError('malformed', 'a host key is 32 bytes in base64url');
  }
  return concat(lengthPrefixed(LABEL_HOST_KEY_PROOF), lengthPrefixed(token), signing, agreement);
}

/** The proof with the host's Ed25519 private key (WebCrypto): 64 bytes, base64url. */
export async function signHostKeyProof(
  signingKey: CryptoKey,
  token: string,
  keys: HostPublicKeys,
): Promise<string> {
  const signature = await globalThis.crypto.subtle.sign(
    { name: 'Ed25519' },
    signingKey,
    hostKeyProofInput(token, keys),
  );
  return toBase64url(new Uint8Array(signature));
}
