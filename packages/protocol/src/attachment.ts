import { z } from 'zod';

/**
 * Images and files sent with a chat message (added in 2, additive). The bytes are uploaded once
 * over HTTP (`POST /api/sessions/{id}/attachments`) and stored content-addressed: an
 * attachment's id is the SHA-256 of its bytes, so the same photo sent twice, from any device,
 * is stored once. A `message` input then names it by id.
 */
export const AttachmentId = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'an attachment id is the SHA-256 of its bytes: 64 lowercase hex digits');
export type AttachmentId = z.infer<typeof AttachmentId>;

/** Image types every agent takes as an image (Claude's image blocks, Codex's local images). */
export const IMAGE_ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
] as const;

/**
 * The types the server accepts, decided from the bytes (never from the declared type): the
 * images above, PDF, and UTF-8 text (source code, Markdown, CSV, JSON, logs: all `text/plain`).
 */
export const ATTACHMENT_TYPES = [
  ...IMAGE_ATTACHMENT_TYPES,
  'application/pdf',
  'text/plain',
] as const;
export const AttachmentType = z.enum(ATTACHMENT_TYPES);
export type AttachmentType = z.infer<typeof AttachmentType>;

/** At most this many attachments ride on one message. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** True for the types shown as pictures and sent to agents as images. */
export function isImageType(type: string): boolean {
  return (IMAGE_ATTACHMENT_TYPES as readonly string[]).includes(type);
}

/**
 * An attachment named by a `message` input. A client sends `id` and, optionally, the file's
 * `name`; the server fills in `type` and `size` from what it stored (whatever the client sent
 * there is replaced), so every device reads them from the log. `type` is a plain string here
 * so that a type a newer server accepts does not make older clients refuse the event.
 */
export const MessageAttachment = z.object({
  id: AttachmentId,
  /** The file name on the sending device (shown; never used as a path). */
  name: z.string().min(1).max(255).optional(),
  type: z.string().min(1).max(100).optional(),
  size: z.number().int().nonnegative().optional(),
});
export type MessageAttachment = z.infer<typeof MessageAttachment>;

/**
 * The type a sealed session's attachment is stored and served under (docs/protocol.md, "Sealed
 * attachments"): the JSON text of an envelope the relay cannot open, so it knows no file type.
 * Also the `Content-Type` a device uploads one with.
 */
export const SEALED_ATTACHMENT_TYPE = 'application/vnd.baton.sealed+json';

/** A stored attachment, as the upload answers it (a sealed one: SEALED_ATTACHMENT_TYPE). */
export const AttachmentInfo = z.object({
  id: AttachmentId,
  type: z.union([AttachmentType, z.literal(SEALED_ATTACHMENT_TYPE)]),
  size: z.number().int().nonnegative(),
});
export type AttachmentInfo = z.infer<typeof AttachmentInfo>;

/**
 * The answer to an upload: 201 when the bytes were stored now, 200 with `duplicate: true` when
 * the same bytes were stored before.
 */
export const UploadAttachmentResult = z.object({
  attachment: AttachmentInfo,
  duplicate: z.boolean(),
});
export type UploadAttachmentResult = z.infer<typeof UploadAttachmentResult>;

/** A size for people: `10 MiB`, `512 KiB`, `300 bytes` (in upload errors and next to files). */
export function describeBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
