import { isUtf8 } from 'node:buffer';
import { ATTACHMENT_TYPES, type AttachmentType } from '@baton/protocol';
import { fileTypeFromBuffer } from 'file-type';

const BINARY_TYPES: ReadonlySet<string> = new Set(
  ATTACHMENT_TYPES.filter((t) => t !== 'text/plain'),
);

/**
 * The attachment type of `bytes`, decided from the bytes alone (a declared Content-Type or file
 * name is never trusted: a page served back from this origin must be what it was checked to be).
 * Binary formats by their signature (file-type); anything else is text only if it is valid
 * UTF-8 without NUL bytes. Undefined for everything else.
 */
export async function sniffAttachmentType(bytes: Uint8Array): Promise<AttachmentType | undefined> {
  // A malformed file can make a format's parser give up with an error: it is then no type.
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  if (found) return BINARY_TYPES.has(found.mime) ? (found.mime as AttachmentType) : undefined;
  return !bytes.includes(0) && isUtf8(bytes) ? 'text/plain' : undefined;
}
