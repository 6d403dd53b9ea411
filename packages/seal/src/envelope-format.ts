import { z } from 'zod';
import { fromBase64url } from './base64url.js';
import { concat, lengthPrefixed, u32, u64, u8 } from './bytes.js';

/**
 * The sealed envelope, version 1: the byte strings it is built from, exactly as
 * docs/protocol.md ("Sealed envelope") specifies them. Everything here is a pure function of
 * the envelope's fields, so the relay (public keys only), clients and independent tools derive
 * the same bytes.
 */

export const SEAL_VERSION = 1;

/**
 * What an envelope carries, each bound into the AAD as one byte so kinds cannot be swapped: an
 * attachment's envelope never opens as an event, input or snapshot, nor the other way round.
 */
export const SealedKind = z.enum(['event', 'input', 'snapshot', 'attachment']);
export type SealedKind = z.infer<typeof SealedKind>;

export const KIND_CODE: Readonly<Record<SealedKind, number>> = {
  event: 1,
  input: 2,
  snapshot: 3,
  attachment: 4,
};

/** Domain labels: every signed or authenticated byte string starts with its own. */
export const LABEL_AAD = 'baton-seal/1 envelope-aad';
export const LABEL_SIGNATURE = 'baton-seal/1 envelope-sig';

const base64urlOf = (bytes: number | { min: number; max: number }) =>
  z.string().refine(
    (text) => {
      const raw = fromBase64url(text);
      if (!raw) return false;
      return typeof bytes === 'number'
        ? raw.length === bytes
        : raw.length >= bytes.min && raw.length <= bytes.max;
    },
    {
      message:
        typeof bytes === 'number'
          ? `${bytes} bytes in unpadded base64url`
          : `${bytes.min} to ${bytes.max} bytes in unpadded base64url`,
    },
  );

/** A name in the AAD: a session id, an event or input id, a device id. */
const Name = z.string().min(1).max(256);

/** The largest sealed body: 16 MiB of plaintext plus the 16-byte tag. */
export const MAX_CIPHERTEXT_BYTES = 16 * 1024 * 1024 + 16;

export const SealedEnvelope = z
  .object({
    /** Format version: 1. */
    v: z.literal(SEAL_VERSION),
    kind: SealedKind,
    /** The session it belongs to. */
    session: Name,
    /** The event id, input id or snapshot id it was sealed for (author-chosen, unique). */
    id: Name,
    /** The author device's id: whose key signed it. */
    author: Name,
    /** The session-key epoch it is sealed under. */
    keyEpoch: z.number().int().min(1).max(0xffffffff),
    /** The author's own counter in this session: grows with every envelope it seals there. */
    counter: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    /** The 96-bit AES-GCM nonce. */
    nonce: base64urlOf(12),
    /** AES-256-GCM output: ciphertext, then the 16-byte tag. */
    ciphertext: base64urlOf({ min: 16, max: MAX_CIPHERTEXT_BYTES }),
    /** Ed25519 signature by `author` over the signature input. */
    signature: base64urlOf(64),
  })
  .strict();
export type SealedEnvelope = z.infer<typeof SealedEnvelope>;

/** The fields of an envelope that the AAD binds. */
export interface EnvelopeContext {
  readonly kind: SealedKind;
  readonly session: string;
  readonly id: string;
  readonly author: string;
  readonly keyEpoch: number;
  readonly counter: number;
}

/**
 * AAD = str(LABEL_AAD) ‖ u8(version) ‖ u8(kind) ‖ str(session) ‖ str(id) ‖ str(author)
 *       ‖ u32(keyEpoch) ‖ u64(counter)
 */
export function envelopeAad(context: EnvelopeContext): Uint8Array<ArrayBuffer> {
  return concat(
    lengthPrefixed(LABEL_AAD),
    u8(SEAL_VERSION),
    u8(KIND_CODE[context.kind]),
    lengthPrefixed(context.session),
    lengthPrefixed(context.id),
    lengthPrefixed(context.author),
    u32(context.keyEpoch),
    u64(context.counter),
  );
}

/** Signature input = str(LABEL_SIGNATURE) ‖ AAD ‖ nonce (12) ‖ ciphertext-with-tag. */
export function envelopeSignatureInput(
  aad: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return concat(lengthPrefixed(LABEL_SIGNATURE), aad, nonce, ciphertext);
}
