import { BatonError, attachmentUrl } from '@baton/client';
import { serverOrigin } from '../../server-origin.js';

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
  if (!res.ok) {
    const json = (await res.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string };
    };
    throw new BatonError(
      json.error?.code ?? 'internal',
      json.error?.message ?? `the server answered ${res.status}`,
    );
  }
  return res.blob();
}
