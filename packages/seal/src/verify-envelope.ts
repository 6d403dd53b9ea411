import { fromBase64url } from './base64url.js';
import { type DeviceRegistry } from './device-registry.js';
import {
  envelopeAad,
  envelopeSignatureInput,
  SealedEnvelope,
  type SealedKind,
} from './envelope-format.js';
import { SealError } from './seal-error.js';

/**
 * Where an envelope was found, as the verifier knows it independently of the envelope: the
 * session whose log or inbox holds it, what it is, and its id there. A relay also knows the
 * author (the device whose connection sent it). The envelope must name the same values: an
 * envelope moved to another session, position or author is refused here, and would fail the
 * AAD check anyway.
 */
export interface EnvelopePlace {
  readonly session: string;
  readonly kind: SealedKind;
  readonly id: string;
  readonly author?: string;
}

/** A parsed envelope whose signature verified, with the byte strings it was checked over. */
export interface VerifiedEnvelope {
  readonly envelope: SealedEnvelope;
  readonly aad: Uint8Array<ArrayBuffer>;
  readonly nonce: Uint8Array<ArrayBuffer>;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
}

/**
 * What a verifier with public keys only can check (the relay): the envelope is well formed, it
 * belongs where it was found, its author is registered and not revoked at this counter, and the
 * Ed25519 signature over header, AAD and ciphertext is the author's. Reads no content.
 */
export async function verifyEnvelope(
  input: unknown,
  place: EnvelopePlace,
  registry: DeviceRegistry,
): Promise<VerifiedEnvelope> {
  const parsed = SealedEnvelope.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SealError(
      'malformed',
      `not a sealed envelope: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  const envelope = parsed.data;
  for (const field of ['session', 'kind', 'id', 'author'] as const) {
    const expected = place[field];
    if (expected !== undefined && envelope[field] !== expected) {
      throw new SealError(
        'context_mismatch',
        `the envelope's ${field} is ${JSON.stringify(envelope[field])} but it was found at ${JSON.stringify(expected)}`,
      );
    }
  }
  const verifyKey = await registry.signingKeyFor(
    envelope.author,
    envelope.session,
    envelope.counter,
  );
  // The schema checked every binary field decodes to its length.
  const nonce = fromBase64url(envelope.nonce)!;
  const ciphertext = fromBase64url(envelope.ciphertext)!;
  const signature = fromBase64url(envelope.signature)!;
  const aad = envelopeAad(envelope);
  const valid = await globalThis.crypto.subtle.verify(
    { name: 'Ed25519' },
    verifyKey,
    signature,
    envelopeSignatureInput(aad, nonce, ciphertext),
  );
  if (!valid) {
    throw new SealError(
      'bad_signature',
      `the signature is not ${envelope.author}'s: the envelope was forged or altered`,
    );
  }
  return { envelope, aad, nonce, ciphertext };
}
