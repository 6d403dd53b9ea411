import type { AttachmentType } from '@baton/protocol';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean =>
  signature.every((b, i) => bytes[at + i] === b);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/**
 * The attachment type of a file's bytes, read on the device (docs/protocol.md, "Sealed
 * attachments"): in a sealed session nobody else can read them before the host, so the device
 * names the type inside the sealed message, and the host checks it with its own reader (a
 * mismatch fails the turn). Signatures of the accepted binary types; otherwise `text/plain` for
 * UTF-8 without NUL bytes; otherwise undefined (not a type baton takes). Also the only type a
 * browser may give a `blob:` URL of an opened attachment: never one the sender chose.
 */
export function sniffAttachmentType(bytes: Uint8Array): AttachmentType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  if (bytes.includes(0)) return undefined;
  try {
    utf8.decode(bytes);
    return 'text/plain';
  } catch {
    return undefined;
  }
}
