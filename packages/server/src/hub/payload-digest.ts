import { hash } from 'node:crypto';
import { isSealedPayload, type WireInputPayload } from '@baton/protocol';

/**
 * A digest of an input's payload, stored with its id: a retry carries the same payload (same
 * digest) and is a duplicate; a different input reusing the id is refused. Keys are sorted so
 * the digest does not depend on the order a client wrote them in.
 */
export function payloadDigest(payload: WireInputPayload): string {
  // The one-shot hash: no Hash object per input (it runs once for every input stored).
  return hash('sha256', stableJson(chosenByClient(payload)), 'hex').slice(0, 32);
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

/**
 * JSON with object keys sorted, so equal values give equal text whatever their key order. The
 * text is what stored digests were made of: it must never change (a retry after an upgrade would
 * otherwise be refused as another input). Written with loops rather than entries/sort/map/join,
 * since it runs on every input; `sort()` compares UTF-16 code units, as `<` does.
 */
export function stableJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      text += `${i > 0 ? ',' : ''}${v === undefined ? '' : stableJson(v)}`;
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${stableJson(v)}`;
  }
  return `${text}}`;
}
