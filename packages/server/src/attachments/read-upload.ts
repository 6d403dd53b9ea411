import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { describeBytes } from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import { readRequestBody } from '../http/request-body.js';

/** The default largest attachment: 10 MiB (a phone photo fits; ServerOptions.maxAttachmentBytes). */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/**
 * The largest sealed upload for a plaintext limit of `maxBytes`: the envelope carries the bytes
 * and their 16-byte tag in base64url (4 characters per 3 bytes) plus its JSON header, under 1 KiB.
 */
export function sealedUploadLimit(maxBytes: number): number {
  return Math.ceil(((maxBytes + 16) * 4) / 3) + 1024;
}

/** An upload's bytes and their SHA-256 (lowercase hex), the attachment's id. */
export interface Upload {
  bytes: Buffer;
  sha256: string;
}

/**
 * Reads an upload's body, hashing it as it arrives, and stops at `maxBytes`: a declared
 * Content-Length over the limit is refused before a byte is read, and a body that grows past it
 * (chunked, or lying about its length) is refused as soon as it does, so at most `maxBytes` are
 * ever held for one request. Either way the error says the limit.
 */
export async function readUpload(req: IncomingMessage, maxBytes: number): Promise<Upload> {
  const tooLarge = (size: string) =>
    new BatonError(
      'attachment_too_large',
      `the attachment is ${size}; the limit is ${describeBytes(maxBytes)} (${maxBytes} bytes): send a smaller file or ask the server's owner to raise maxAttachmentBytes`,
    );
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  const size = await readRequestBody(
    req,
    maxBytes,
    (declared) =>
      tooLarge(
        declared === undefined ? `over ${describeBytes(maxBytes)}` : describeBytes(declared),
      ),
    (part) => {
      hash.update(part);
      chunks.push(part);
    },
  );
  if (size === 0)
    throw new BatonError('bad_request', 'the upload is empty: send the file’s bytes as the body');
  return { bytes: Buffer.concat(chunks, size), sha256: hash.digest('hex') };
}
