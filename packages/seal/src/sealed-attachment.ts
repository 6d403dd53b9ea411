import { toBase64url } from './base64url.js';
import { randomBytes } from './bytes.js';
import { CounterGuard } from './counter-guard.js';
import { type DeviceIdentity } from './device-identity.js';
import { type DeviceRegistry } from './device-registry.js';
import { type SealedEnvelope } from './envelope-format.js';
import { type KeyRing } from './key-ring.js';
import { openEnvelope } from './open-envelope.js';
import { sealEnvelope } from './seal-envelope.js';
import { SealError } from './seal-error.js';
import { type SessionKey } from './session-key.js';
import { verifyEnvelope, type VerifiedEnvelope } from './verify-envelope.js';

/**
 * Sealed attachments (docs/protocol.md, "Sealed attachments"): the bytes of an image or file for a
 * sealed session travel and are stored as one envelope of kind `attachment`, id `a.<random>`,
 * whose plaintext is the file's raw bytes. What is uploaded and stored is the envelope's JSON
 * text, UTF-8, so the attachment's id (the SHA-256 of the stored bytes) names exactly this
 * envelope, and a sealed message naming that id commits to it.
 */

const ID = /^a\.[A-Za-z0-9_-]{22}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface SealAttachmentRequest {
  readonly identity: DeviceIdentity;
  /** The session's current key. */
  readonly sessionKey: SessionKey;
  /** The author's next counter in the session (the sequence its inputs use). */
  readonly counter: number;
  readonly bytes: Uint8Array;
}

/** Seals a file's bytes; returns the envelope and the upload body (its JSON text, UTF-8). */
export async function sealAttachment(
  request: SealAttachmentRequest,
): Promise<{ envelope: SealedEnvelope; body: Uint8Array }> {
  const envelope = await sealEnvelope({
    identity: request.identity,
    sessionKey: request.sessionKey,
    kind: 'attachment',
    // 128 random bits: unique without coordination, like the nonce.
    id: `a.${toBase64url(randomBytes(16))}`,
    counter: request.counter,
    plaintext: request.bytes,
  });
  return { envelope, body: encoder.encode(JSON.stringify(envelope)) };
}

/** The envelope in an upload's or download's bytes, or a `malformed` SealError. */
export function attachmentEnvelope(body: Uint8Array): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch {
    throw new SealError('malformed', 'a sealed attachment is the JSON text of an envelope');
  }
  const kind = (parsed as { kind?: unknown } | null)?.kind;
  const id = (parsed as { id?: unknown } | null)?.id;
  if (kind !== 'attachment' || typeof id !== 'string' || !ID.test(id))
    throw new SealError(
      'malformed',
      'a sealed attachment is an envelope of kind "attachment" with id a.<22 base64url characters>',
    );
  return parsed;
}

/**
 * What a relay checks of a sealed upload (public keys only): an envelope of kind `attachment`
 * for `session`, authored by `author` (the uploading device), signed by a registered device not
 * revoked at its counter.
 */
export function verifyAttachment(
  body: Uint8Array,
  place: { readonly session: string; readonly author: string },
  registry: DeviceRegistry,
): Promise<VerifiedEnvelope> {
  const envelope = attachmentEnvelope(body);
  return verifyEnvelope(
    envelope,
    { ...place, kind: 'attachment', id: (envelope as { id: string }).id },
    registry,
  );
}

/**
 * Opens a sealed attachment of `session` (any registered author; the key of its epoch from the
 * ring, so one sealed before a rotation still opens). No counter guard: an attachment is read
 * again whenever a message names it, by any reader, in any order; what it may be is fixed by
 * the message that names its hash. Throws a SealError.
 */
export async function openAttachment(
  body: Uint8Array,
  session: string,
  keys: { readonly registry: DeviceRegistry; readonly keyRing: KeyRing },
): Promise<{ envelope: SealedEnvelope; plaintext: Uint8Array }> {
  const envelope = attachmentEnvelope(body);
  return openEnvelope(
    envelope,
    { session, kind: 'attachment', id: (envelope as { id: string }).id },
    { ...keys, counters: new CounterGuard() },
  );
}
