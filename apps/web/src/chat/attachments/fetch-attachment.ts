import { BatonError, answerRefusal, attachmentUrl, type BatonClient } from '@baton/client';
import { serverOrigin } from '../../server-origin.js';

/** Whether the session is sealed: its attachments are envelopes, opened in this browser. */
export function isSealedSession(client: BatonClient, sessionId: string): boolean {
  const info = client.session(sessionId as never)?.info ?? client.sessions.get(sessionId as never);
  return info?.sealed !== undefined;
}

/**
 * An attachment's bytes as a Blob. A sealed session's is downloaded and opened with the session
 * key here (docs/protocol.md, "Sealed attachments"); its Blob gets the type read from the opened
 * bytes, never one the sender chose, so a `blob:` URL of it is only ever an image, PDF or text.
 */
export async function loadAttachment(
  client: BatonClient,
  token: string,
  sessionId: string,
  attachmentId: string,
): Promise<Blob> {
  if (!isSealedSession(client, sessionId)) return fetchAttachment(token, sessionId, attachmentId);
  const { data, type } = await client.readAttachment(sessionId, attachmentId);
  return new Blob([new Uint8Array(data)], { type });
}

/**
 * An attachment's bytes as a Blob, read with the device's token (an `<img src>` cannot send
 * one). The server marks the answer immutable, so the browser's cache answers repeats: a
 * thumbnail scrolled out of the transcript and back is not downloaded again.
 */
export async function fetchAttachment(
  token: string,
  sessionId: string,
  attachmentId: string,
): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(attachmentUrl(serverOrigin(), sessionId, attachmentId), {
      headers: { authorization: `Bearer ${token}` },
    });
  } catch {
    throw new BatonError('disconnected', 'baton cannot be reached');
  }
  if (!res.ok) throw await answerRefusal('GET', `attachment ${attachmentId}`, res);
  return res.blob();
}
