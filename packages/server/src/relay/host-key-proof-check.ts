import { createPublicKey, verify } from 'node:crypto';
import type { HostKeys } from '@baton/protocol';
import { hostKeyProofInput } from '@baton/seal';

/**
 * Whether `proof` is the host's signature over its token and keys (`host.hello.proof`, version
 * 5; @baton/seal host-key-proof.ts has the signed bytes). Synchronous (node:crypto), because the
 * hello is checked and the keys pinned without a yield in between: two hellos of one grant
 * racing each other cannot both pin. Call it only on keys that passed `refuseWeakKeys`: under a
 * small-order key any proof would verify.
 */
export function provesKeyPossession(token: string, keys: HostKeys, proof: string): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: keys.signingKey },
    format: 'jwk',
  });
  return verify(null, hostKeyProofInput(token, keys), key, Buffer.from(proof, 'base64url'));
}
