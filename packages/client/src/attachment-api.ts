import { UploadAttachmentResult, describeZodError } from '@baton/protocol';
import { BatonError } from './baton-error.js';
import { answerBody } from './http-json.js';

/**
 * Sends an upload's bytes: `fetch` by default (no progress until the end); a browser can pass
 * one built on XMLHttpRequest that reports `onProgress` as the bytes leave.
 */
export type UploadTransport = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: Uint8Array | Blob;
    onProgress?: (sentBytes: number, totalBytes: number) => void;
  },
) => Promise<{ status: number; text(): Promise<string> }>;

/** Options of `uploadAttachment`. */
export interface UploadAttachmentOptions {
  /** Told how many bytes were sent, as they are sent (with a transport that can tell). */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  transport?: UploadTransport;
  /** The upload's `Content-Type` (a sealed upload's: SEALED_ATTACHMENT_TYPE); octet-stream by default. */
  contentType?: string;
}

const fetchTransport: UploadTransport = async (url, init) => {
  const size = init.body instanceof Uint8Array ? init.body.byteLength : init.body.size;
  const response = await fetch(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
  });
  init.onProgress?.(size, size);
  return response;
};

/**
 * Uploads an image or file for a chat message (`POST /api/sessions/{id}/attachments`) and
 * returns its id, type and size; send the id in a `message` input's `attachments`. The server
 * stores the bytes once under their SHA-256 (`duplicate: true` when they were there already)
 * and decides the type from them. Rejects with a BatonError: `attachment_too_large` (the
 * message says the limit), `unsupported_attachment_type` (it lists the accepted types),
 * `forbidden` without the right to send input to the session.
 *
 * @param baseUrl the server's HTTP address, for example `http://127.0.0.1:7777`.
 * @example
 * const { attachment } = await uploadAttachment(baseUrl, token, sessionId, bytes);
 * client.send(sessionId, { kind: 'message', text: 'What is this?', attachments: [{ id: attachment.id, name: 'a.png' }] });
 */
export async function uploadAttachment(
  baseUrl: string,
  token: string,
  sessionId: string,
  bytes: Uint8Array | Blob,
  options: UploadAttachmentOptions = {},
): Promise<UploadAttachmentResult> {
  if (!/^https?:\/\//.test(baseUrl)) {
    throw new BatonError(
      'bad_request',
      `baseUrl must be an http(s) URL such as http://127.0.0.1:7777, got '${baseUrl}'`,
    );
  }
  const url = new URL(
    `api/sessions/${encodeURIComponent(sessionId)}/attachments`,
    withSlash(baseUrl),
  );
  const transport = options.transport ?? fetchTransport;
  let response: Awaited<ReturnType<UploadTransport>>;
  try {
    response = await transport(url.toString(), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': options.contentType ?? 'application/octet-stream',
      },
      body: bytes,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (error) {
    throw new BatonError(
      'disconnected',
      `could not reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const body = answerBody('POST', url.pathname, response.status, await response.text());
  const parsed = UploadAttachmentResult.safeParse(body);
  if (!parsed.success)
    throw new BatonError('bad_reply', `upload answer: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/**
 * Where an attachment's bytes are read (`GET`, with the device's bearer token). The answer never
 * changes for a given id, and says so (`immutable`), so a browser keeps it in its cache.
 */
export function attachmentUrl(baseUrl: string, sessionId: string, attachmentId: string): string {
  return new URL(
    `api/sessions/${encodeURIComponent(sessionId)}/attachments/${encodeURIComponent(attachmentId)}`,
    withSlash(baseUrl),
  ).toString();
}

/** A base URL behind a reverse proxy may carry a path (`https://host/baton`): keep it. */
function withSlash(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}
