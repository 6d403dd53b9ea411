import { isDeepStrictEqual } from 'node:util';
import {
  applyDocumentChange,
  compareHlc,
  MAX_CONFLICT_VALUES,
  MAX_DOCUMENT_BYTES,
  MAX_FIELD_BYTES,
  MAX_FIELDS_PER_DOCUMENT,
  MAX_HLC_AHEAD_MS,
  ownField,
  type ClientMessageOf,
  type ConflictOutcome,
  type ConflictStrategy,
  type ConnectionMode,
  type DocumentChanged,
  type DocumentState,
  type FieldConflict,
  type JsonValue,
} from '@baton/protocol';
import { BatonError } from '../../baton-error.js';

/** Who writes: the change event names the device, connection and mode (the audit trail). */
export interface DocumentWriter {
  deviceId: string;
  connectionId: string;
  mode: ConnectionMode;
}

/** What a write comes to: a change to commit, or (user_choice) both values handed back. */
export type WriteDecision =
  | { kind: 'commit'; change: DocumentChanged; next: DocumentState; conflicts: ConflictOutcome[] }
  | { kind: 'returned'; conflicts: ConflictOutcome[] };

type Write = ClientMessageOf<'doc.write'>;

/**
 * Decides a `doc.write` against the document as committed now (undefined: none by that name).
 * Pure and synchronous: the caller runs writes of a session one at a time, so `current` is the
 * state the change will follow (SessionDocuments). The strategies are described on
 * `ConflictStrategy` in the protocol package; the rule that no conflict loses a value is kept
 * here: a timestamp loser goes into `overruled`, a manual conflict keeps every value, and merge
 * and user_choice hand the writer's value back.
 */
export function decideWrite(
  current: DocumentState | undefined,
  write: Write,
  writer: DocumentWriter,
  now: number,
): WriteDecision {
  const version = current?.version ?? 0;
  if (write.baseVersion > version)
    throw new BatonError(
      'stale_version',
      `document '${write.name}' is at version ${version}, below the base version ${write.baseVersion}: read it again with doc.get`,
    );
  const nextVersion = version + 1;
  const overrides = { ...(current?.fieldStrategies ?? {}) };
  for (const [field, s] of Object.entries(write.fieldStrategies ?? {})) {
    if (s === null) delete overrides[field];
    else overrides[field] = s;
  }
  const docStrategy = write.strategy ?? current?.strategy ?? 'merge';
  const strategyOf = (field: string): ConflictStrategy => ownField(overrides, field) ?? docStrategy;

  const hlc = write.hlc;
  const timed = Object.keys(write.patch).filter((f) => strategyOf(f) === 'timestamp');
  if (timed.length > 0 && hlc === undefined)
    throw new BatonError(
      'bad_request',
      `fields ${timed.join(', ')} of document '${write.name}' use the timestamp strategy: send the write's hybrid logical clock in 'hlc'`,
    );
  // Only clocks that decide something are checked: a clock sent with every write does no harm.
  if (timed.length > 0 && hlc!.wallMs > now + MAX_HLC_AHEAD_MS)
    throw new BatonError(
      'clock_skew',
      `the write's clock is ${hlc!.wallMs - now} ms ahead of the server's (at most ${MAX_HLC_AHEAD_MS} ms): set the device's clock right`,
    );
  for (const [field, value] of Object.entries(write.patch)) {
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > MAX_FIELD_BYTES)
      throw new BatonError(
        'too_large',
        `field '${field}' is ${bytes} bytes as JSON; a field may hold at most ${MAX_FIELD_BYTES}`,
      );
  }

  const changes: Record<string, JsonValue> = {};
  const clocks: NonNullable<DocumentChanged['clocks']> = {};
  const conflicts: Record<string, FieldConflict> = {};
  const overruled: NonNullable<DocumentChanged['overruled']> = [];
  const outcomes: ConflictOutcome[] = [];
  let handBack = false;

  for (const [field, yours] of Object.entries(write.patch)) {
    const strategy = strategyOf(field);
    const theirs = ownField(current?.fields, field) ?? null;
    const open = ownField(current?.conflicts, field);
    if (open !== undefined) {
      // A field in a manual conflict is frozen until doc.resolve: a new value joins the conflict.
      if (open.values.some((v) => isDeepStrictEqual(v.value, yours))) continue;
      if (open.values.length >= MAX_CONFLICT_VALUES)
        throw new BatonError(
          'too_large',
          `field '${field}' of document '${write.name}' already holds ${open.values.length} conflicting values: resolve it with doc.resolve first`,
        );
      conflicts[field] = {
        values: [...open.values, { value: yours, deviceId: writer.deviceId, version: nextVersion }],
        version: nextVersion,
      };
      outcomes.push(outcome(current!, field, strategy, yours, 'stored'));
      continue;
    }
    if (isDeepStrictEqual(yours, theirs)) continue;
    const changedSinceBase = (ownField(current?.fieldVersions, field) ?? 0) > write.baseVersion;
    if (!changedSinceBase) {
      changes[field] = yours;
      if (strategy === 'timestamp') clocks[field] = hlc!;
      continue;
    }
    // A conflict: settled by the field's strategy.
    const doc = current!;
    if (strategy === 'timestamp') {
      const theirClock = ownField(doc.clocks, field);
      // A value written before the field used timestamps has no clock: any clocked write is later.
      const yoursWins = theirClock === undefined || compareHlc(hlc!, theirClock) > 0;
      if (yoursWins) {
        changes[field] = yours;
        clocks[field] = hlc!;
        overruled.push({
          field,
          value: theirs,
          deviceId: ownField(doc.fieldDevices, field) ?? '',
          version: ownField(doc.fieldVersions, field) ?? 0,
          ...(theirClock !== undefined ? { hlc: theirClock } : {}),
        });
      } else {
        overruled.push({
          field,
          value: yours,
          deviceId: writer.deviceId,
          version: nextVersion,
          hlc: hlc!,
        });
      }
      outcomes.push(outcome(doc, field, strategy, yours, yoursWins ? 'yours' : 'theirs'));
    } else if (strategy === 'manual') {
      conflicts[field] = {
        values: [
          {
            value: theirs,
            deviceId: ownField(doc.fieldDevices, field) ?? '',
            version: ownField(doc.fieldVersions, field) ?? 0,
          },
          { value: yours, deviceId: writer.deviceId, version: nextVersion },
        ],
        version: nextVersion,
      };
      outcomes.push(outcome(doc, field, strategy, yours, 'stored'));
    } else {
      if (strategy === 'user_choice') handBack = true;
      outcomes.push(outcome(doc, field, strategy, yours, 'returned'));
    }
  }

  if (handBack) {
    // user_choice: nothing commits, so the writer decides every conflicting field at once.
    return {
      kind: 'returned',
      conflicts: outcomes.map((o) => (o.result === 'returned' ? o : { ...o, result: 'returned' })),
    };
  }

  const change: DocumentChanged = {
    name: write.name,
    version: nextVersion,
    deviceId: writer.deviceId,
    connectionId: writer.connectionId,
    mode: writer.mode,
    changes,
  };
  if (Object.keys(clocks).length > 0) change.clocks = clocks;
  if (
    current === undefined ||
    (write.strategy !== undefined && write.strategy !== current.strategy)
  )
    change.strategy = docStrategy;
  if (write.fieldStrategies !== undefined) change.fieldStrategies = write.fieldStrategies;
  if (Object.keys(conflicts).length > 0) change.conflicts = conflicts;
  if (overruled.length > 0) change.overruled = overruled;
  const next = applyDocumentChange(current, change);
  checkDocumentSize(next);
  return { kind: 'commit', change, next, conflicts: outcomes };
}

/** Throws `too_large` when a document would exceed the stated limits. */
export function checkDocumentSize(doc: DocumentState): void {
  const fieldCount = Object.keys(doc.fieldVersions).length;
  if (fieldCount > MAX_FIELDS_PER_DOCUMENT)
    throw new BatonError(
      'too_large',
      `document '${doc.name}' would have ${fieldCount} fields (removed ones count until they are written again); at most ${MAX_FIELDS_PER_DOCUMENT}`,
    );
  const bytes = Buffer.byteLength(JSON.stringify(doc));
  if (bytes > MAX_DOCUMENT_BYTES)
    throw new BatonError(
      'too_large',
      `document '${doc.name}' would be ${bytes} bytes as JSON; a document may hold at most ${MAX_DOCUMENT_BYTES}: remove fields or split it`,
    );
}

function outcome(
  doc: DocumentState,
  field: string,
  strategy: ConflictStrategy,
  yours: JsonValue,
  result: ConflictOutcome['result'],
): ConflictOutcome {
  return {
    field,
    strategy,
    yours,
    theirs: ownField(doc.fields, field) ?? null,
    theirVersion: ownField(doc.fieldVersions, field) ?? 0,
    theirDevice: ownField(doc.fieldDevices, field) ?? '',
    result,
  };
}
