import type { DocumentChanged, DocumentState } from './document.js';
import { ownField } from './own-field.js';

/**
 * A document with the change of one `doc.changed` event applied: the one function by which the
 * server computes what it stores and a client keeps its copy from the events it receives, so the
 * two cannot disagree. Events must be applied in log order; an event whose version is not
 * `document.version + 1` is a gap (read the document with `doc.get`).
 */
export function applyDocumentChange(
  document: DocumentState | undefined,
  change: DocumentChanged,
): DocumentState {
  const next: DocumentState = document
    ? {
        ...document,
        fieldStrategies: { ...document.fieldStrategies },
        fields: { ...document.fields },
        fieldVersions: { ...document.fieldVersions },
        clocks: { ...document.clocks },
        fieldDevices: { ...document.fieldDevices },
        conflicts: { ...document.conflicts },
      }
    : {
        name: change.name,
        version: 0,
        strategy: 'merge',
        fieldStrategies: {},
        fields: {},
        fieldVersions: {},
        clocks: {},
        fieldDevices: {},
        conflicts: {},
        updatedBy: change.deviceId,
      };
  next.version = change.version;
  next.updatedBy = change.deviceId;
  if (change.strategy !== undefined) next.strategy = change.strategy;
  for (const [field, strategy] of Object.entries(change.fieldStrategies ?? {})) {
    if (strategy === null) delete next.fieldStrategies[field];
    else next.fieldStrategies[field] = strategy;
  }
  for (const [field, value] of Object.entries(change.changes)) {
    if (value === null) {
      delete next.fields[field];
      delete next.clocks[field];
    } else next.fields[field] = value;
    next.fieldVersions[field] = change.version;
    next.fieldDevices[field] = change.deviceId;
    const clock = ownField(change.clocks, field);
    if (clock !== undefined) next.clocks[field] = clock;
  }
  for (const [field, conflict] of Object.entries(change.conflicts ?? {}))
    next.conflicts[field] = conflict;
  for (const field of change.resolved ?? []) delete next.conflicts[field];
  return next;
}
