import { createHash } from 'node:crypto';
import { isSealedPayload, type WireInputPayload } from '@baton/protocol';

/**
 * A digest of an input's payload, stored with its id: a retry carries the same payload (same
 * digest) and is a duplicate; a different input reusing the id is refused. Keys are sorted so
 * the digest does not depend on the order a client wrote them in.
 */
export function payloadDigest(payload: WireInputPayload): string {
  return createHash('sha256')
    .update(stableJson(chosenByClient(payload)))
    .digest('hex')
    .slice(0, 32);
}

/**
 * An attachment's `type` and `size` are filled in by the server from the store: they are left
 * out, so a retry is recognised whether it reaches the digest before or after they are filled.
 */
function chosenByClient(payload: WireInputPayload): WireInputPayload {
  if (isSealedPayload(payload) || payload.kind !== 'message' || payload.attachments === undefined)
    return payload;
  return {
    ...payload,
    attachments: payload.attachments.map(({ id, name }) => ({
      id,
      ...(name !== undefined ? { name } : {}),
    })),
  };
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
