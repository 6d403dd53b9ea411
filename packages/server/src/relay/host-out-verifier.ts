import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { HostKeys, HostMessage } from '@baton/protocol';
import { hostOutSignatureInput } from '@baton/seal';

type HostOutFrame = Extract<HostMessage, { type: 'out' }>;

/**
 * Checks the signature on each `out` a host sends with the signing key the relay pinned for it
 * (docs/relay.md, "Signed host output"), before anything of the frame is stored. It reads only
 * what the relay reads anyway: the session id, the number and the body it commits.
 *
 * Synchronous (node:crypto) on purpose: the link hands frames to the commit chain in arrival
 * order, and an asynchronous check could finish out of order and let a later `n` be committed
 * first (which would make the earlier one look like a resend).
 */
export class HostOutVerifier {
  private readonly key: KeyObject;

  constructor(keys: HostKeys) {
    // The schema checked the key is 32 bytes of base64url; a JWK `x` is exactly that.
    this.key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: keys.signingKey },
      format: 'jwk',
    });
  }

  /** Undefined when the frame is the host's; otherwise why it is refused. */
  check(frame: HostOutFrame): string | undefined {
    if (frame.sig === undefined) return `out ${frame.n} of ${frame.sessionId} is not signed`;
    let bytes: Uint8Array;
    try {
      bytes = hostOutSignatureInput(frame.sessionId, frame.n, frame.body);
    } catch (err) {
      return `out ${frame.n} of ${frame.sessionId} cannot be encoded for checking: ${(err as Error).message}`;
    }
    const valid = verify(null, bytes, this.key, Buffer.from(frame.sig, 'base64url'));
    return valid
      ? undefined
      : `out ${frame.n} of ${frame.sessionId} is not signed by this host's pinned key: forged or altered`;
  }
}
