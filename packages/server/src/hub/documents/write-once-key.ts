import { createHash } from 'node:crypto';
import type { ClientMessageOf } from '@baton/protocol';
import { DOCUMENT_KEY_PREFIX, type InputKey } from '../../storage/store.js';
import { stableJson } from '../payload-digest.js';

/**
 * The dedupe key of a shared-document write that carries a `writeId`: stored beside input ids
 * (per session and device), under `doc/<writeId>`, a name no input id can take (an input id has
 * no `/`). The digest covers what the writer asked, so a retry matches and another write reusing
 * the id does not. Not its `baseVersion`: a retry may be sent against a newer version than the
 * first attempt (after `stale_version`), and it is still the same write. Undefined for a write without an id (it is applied each time it arrives).
 */
export function writeOnceKey(
  msg: ClientMessageOf<'doc.write'>,
  deviceId: string,
): (InputKey & { digest: string }) | undefined {
  if (msg.writeId === undefined) return undefined;
  const asked = {
    name: msg.name,
    patch: msg.patch,
    strategy: msg.strategy,
    fieldStrategies: msg.fieldStrategies,
    hlc: msg.hlc,
  };
  return {
    deviceId,
    inputId: `${DOCUMENT_KEY_PREFIX}${msg.writeId}`,
    digest: createHash('sha256').update(stableJson(asked)).digest('hex').slice(0, 32),
  };
}
