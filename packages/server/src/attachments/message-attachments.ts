import { isSealedPayload, type WireInputPayload } from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import type { Store } from '../storage/store.js';

/**
 * The payload with each attachment's `type` and `size` taken from the store (what a client sent
 * there is replaced), so every device reads the truth from the log. Rejects with `not_found`
 * naming the first attachment that is not stored: the message is not stored either, and the
 * conversation goes on.
 */
export async function withAttachmentInfo(
  store: Store,
  sessionId: string,
  payload: WireInputPayload,
): Promise<WireInputPayload> {
  // A sealed message's attachments are inside the envelope: the relay cannot look them up.
  if (isSealedPayload(payload) || payload.kind !== 'message' || payload.attachments === undefined)
    return payload;
  const ids = payload.attachments.map((a) => a.id);
  // From here the attachments are the session's too: deleting the one they were uploaded to
  // no longer deletes them.
  const found = await store.useAttachments(sessionId, ids);
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined)
    throw new BatonError(
      'not_found',
      `attachment ${missing} is not stored on this server: upload it first (POST /api/sessions/${sessionId}/attachments), then send the message again`,
    );
  return {
    ...payload,
    attachments: payload.attachments.map((a) => {
      const meta = found.get(a.id)!;
      return {
        id: a.id,
        ...(a.name !== undefined ? { name: a.name } : {}),
        type: meta.type,
        size: meta.size,
      };
    }),
  };
}
