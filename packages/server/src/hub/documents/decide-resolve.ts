import {
  applyDocumentChange,
  MAX_FIELD_BYTES,
  ownField,
  type ClientMessageOf,
  type DocumentChanged,
  type DocumentState,
} from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import { checkDocumentSize, type DocumentWriter } from './decide-write.js';

/**
 * Decides a `doc.resolve`: the chosen value replaces the field and its `manual` conflict closes.
 * The resolver must have seen every value of the conflict: one that grew after `baseVersion` is
 * refused as `stale_version`, so no value is dismissed unseen.
 */
export function decideResolve(
  current: DocumentState | undefined,
  msg: ClientMessageOf<'doc.resolve'>,
  writer: DocumentWriter,
): { change: DocumentChanged; next: DocumentState } {
  if (current === undefined)
    throw new BatonError('not_found', `this session has no document '${msg.name}'`);
  const conflict = ownField(current.conflicts, msg.field);
  if (conflict === undefined)
    throw new BatonError(
      'not_found',
      `field '${msg.field}' of document '${msg.name}' has no open conflict to resolve`,
    );
  if (msg.baseVersion < conflict.version || msg.baseVersion > current.version)
    throw new BatonError(
      'stale_version',
      `the conflict on '${msg.field}' changed at version ${conflict.version}; document '${msg.name}' is at version ${current.version}: read it again with doc.get`,
    );
  const bytes = Buffer.byteLength(JSON.stringify(msg.value));
  if (bytes > MAX_FIELD_BYTES)
    throw new BatonError(
      'too_large',
      `field '${msg.field}' is ${bytes} bytes as JSON; a field may hold at most ${MAX_FIELD_BYTES}`,
    );
  const change: DocumentChanged = {
    name: msg.name,
    version: current.version + 1,
    deviceId: writer.deviceId,
    connectionId: writer.connectionId,
    mode: writer.mode,
    changes: { [msg.field]: msg.value },
    resolved: [msg.field],
  };
  const next = applyDocumentChange(current, change);
  checkDocumentSize(next);
  return { change, next };
}
