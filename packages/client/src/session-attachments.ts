import {
  ATTACHMENT_TYPES,
  SEALED_ATTACHMENT_TYPE,
  type AttachmentType,
  type UploadAttachmentResult,
} from '@baton/protocol';
import { attachmentUrl, uploadAttachment, type UploadAttachmentOptions } from './attachment-api.js';
import { BatonError } from './baton-error.js';
import { answerRefusal } from './http-json.js';
import type { ClientSealing } from './sealing/client-sealing.js';
import { sniffAttachmentType } from './sniff-attachment-type.js';

/**
 * What seals a file for a session (a `ClientSealing`, or one session's sealing): undefined when
 * the session is not sealed, so the file goes as it is.
 */
export interface AttachmentSealer {
  sealAttachment(sessionId: string, bytes: Uint8Array): Promise<Uint8Array | undefined>;
}

/** Where a client's attachments go: the server's HTTP address and the device's token. */
export interface AttachmentEndpoint {
  readonly baseUrl: string;
  readonly token: string;
}

/**
 * Uploads a file for a message of `sessionId`, sealed when the session is sealed (the relay
 * then stores an envelope it cannot open). For a sealed session the answer's `type` and `size`
 * are the file's own, read on this device, so a message can name them; its `id` is the hash of
 * the sealed upload, which the relay computed.
 */
export async function uploadSessionAttachment(
  endpoint: AttachmentEndpoint,
  sealing: AttachmentSealer | undefined,
  sessionId: string,
  bytes: Uint8Array | Blob,
  options: UploadAttachmentOptions = {},
): Promise<UploadAttachmentResult> {
  const { baseUrl, token } = endpoint;
  if (!sealing) return uploadAttachment(baseUrl, token, sessionId, bytes, options);
  const raw = bytes instanceof Uint8Array ? bytes : new Uint8Array(await bytes.arrayBuffer());
  const sealed = await sealing.sealAttachment(sessionId, raw);
  if (!sealed) return uploadAttachment(baseUrl, token, sessionId, bytes, options);
  const type = sniffAttachmentType(raw);
  if (type === undefined)
    throw new BatonError(
      'unsupported_attachment_type',
      `baton takes ${ATTACHMENT_TYPES.join(', ')} (the type is read from the bytes); convert the file to one of them`,
    );
  const total = raw.byteLength;
  const answer = await uploadAttachment(baseUrl, token, sessionId, sealed, {
    ...options,
    contentType: SEALED_ATTACHMENT_TYPE,
    // Progress is told in the file's bytes (the envelope is about 4/3 of them).
    ...(options.onProgress
      ? {
          onProgress: (sent: number, of: number) =>
            options.onProgress!(Math.min(total, Math.round((sent / of) * total)), total),
        }
      : {}),
  });
  return { ...answer, attachment: { id: answer.attachment.id, type, size: total } };
}

/**
 * Reads an attachment's bytes and type. A sealed one (served as SEALED_ATTACHMENT_TYPE) is
 * opened with the session key on this device and typed from its opened bytes, never from what
 * anyone declared; one that does not open rejects with `verify_failed`.
 */
export async function readSessionAttachment(
  endpoint: AttachmentEndpoint,
  sealing: ClientSealing | undefined,
  sessionId: string,
  attachmentId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ type: AttachmentType | 'application/octet-stream'; data: Uint8Array }> {
  let res: Response;
  try {
    res = await fetchImpl(attachmentUrl(endpoint.baseUrl, sessionId, attachmentId), {
      headers: { authorization: `Bearer ${endpoint.token}` },
    });
  } catch (error) {
    throw new BatonError(
      'disconnected',
      `could not read attachment ${attachmentId}: ${String(error)}`,
    );
  }
  if (!res.ok) throw await answerRefusal('GET', `attachment ${attachmentId}`, res);
  const body = new Uint8Array(await res.arrayBuffer());
  if (!(res.headers.get('content-type') ?? '').startsWith(SEALED_ATTACHMENT_TYPE))
    return { type: sniffAttachmentType(body) ?? 'application/octet-stream', data: body };
  if (!sealing)
    throw new BatonError(
      'verify_failed',
      `attachment ${attachmentId} is sealed and this client was made without the sealing option`,
    );
  let data: Uint8Array;
  try {
    data = await sealing.openAttachment(sessionId, body);
  } catch (error) {
    throw new BatonError(
      'verify_failed',
      `attachment ${attachmentId} failed to open: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { type: sniffAttachmentType(data) ?? 'application/octet-stream', data };
}
