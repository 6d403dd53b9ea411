import { z } from 'zod';
import { ConnectionMode } from './connection-mode.js';
import { Hlc } from './hybrid-clock.js';
import { InputId, RequestId, SessionId } from './ids.js';

/**
 * Shared state: each session has named, versioned documents beside its log (UI state, drafts,
 * settings, a scratchpad). A document is a JSON object of fields; every committed write bumps its
 * version by one and is a `doc.changed` event in the session's log. docs/protocol.md, "Shared
 * documents", is the contract; the limits below are part of it.
 */

/** Documents per session. A write that would create one more is refused with `too_many_documents`. */
export const MAX_DOCUMENTS_PER_SESSION = 64;
/** A document's stored JSON (fields, clocks and open conflicts); more is refused with `too_large`. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
/** One field's value as JSON; more is refused with `too_large`. */
export const MAX_FIELD_BYTES = 16 * 1024;
/** Fields per document. */
export const MAX_FIELDS_PER_DOCUMENT = 256;
/** Values one open `manual` conflict holds; a write beyond is refused until it is resolved. */
export const MAX_CONFLICT_VALUES = 16;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** A document's name: 1 to 128 of letters, digits and `. _ : -`, starting with a letter or digit. */
export const DocumentName = z
  .string()
  .min(1)
  .max(128)
  .regex(
    NAME,
    'a document name uses letters, digits and . _ : - and starts with a letter or digit',
  );
/** A field's name: the same characters as a document name. */
export const FieldName = z
  .string()
  .min(1)
  .max(128)
  .regex(NAME, 'a field name uses letters, digits and . _ : - and starts with a letter or digit');

/**
 * What happens when a write conflicts on a field: the write is stale (its `baseVersion` is below
 * the document's version) and the field was changed after `baseVersion` to a value other than
 * the one written.
 * A write that is not stale, or a stale write's fields that do not conflict, apply under every
 * strategy. A conflicting field is settled by its own strategy (its override, else the
 * document's):
 * - `timestamp`: last writer wins by hybrid logical clock (`hlc` on the write); the losing value
 *   is kept in the event's `overruled`.
 * - `merge`: the field is handed back to the writer (`returned`, with both values) while the
 *   rest of the write commits; the writer settles it in a follow-up write.
 * - `manual`: the conflict is stored with every value and the field keeps its value until a
 *   `doc.resolve`; until then every new value written to it joins the conflict.
 * - `user_choice`: nothing of the write commits (`status: 'conflict'`); the writer gets both
 *   values of every conflicting field and writes again against the new version with its choice.
 */
export const ConflictStrategy = z.enum(['timestamp', 'merge', 'manual', 'user_choice']);
export type ConflictStrategy = z.infer<typeof ConflictStrategy>;

/** How deeply arrays and objects may nest in a document value or volatile data. */
export const MAX_JSON_DEPTH = 32;

/** A JSON value: null, a boolean, a finite number, a string, an array or a plain object of them. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Whether `value` is JSON nested at most `MAX_JSON_DEPTH` deep. Bounded on purpose: a recursive
 * schema (`z.json()`) walks any depth a frame holds, and a frame of a few hundred thousand `[`
 * overflows the stack inside validation, which must never throw (parseClientFrame).
 */
function isBoundedJson(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(value)) return value.every((v) => isBoundedJson(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isBoundedJson(v, depth + 1));
}

/** Any JSON value, nested at most `MAX_JSON_DEPTH` deep. */
export const JsonValue = z.custom<JsonValue>(
  (value) => isBoundedJson(value),
  `a JSON value nested at most ${MAX_JSON_DEPTH} deep`,
);

/** One value in an open `manual` conflict: who wrote it, at which version of the document. */
export const ConflictValue = z.object({
  value: JsonValue,
  deviceId: z.string(),
  version: z.number().int().nonnegative(),
});
export type ConflictValue = z.infer<typeof ConflictValue>;

/**
 * An open `manual` conflict on one field: `values` in arrival order, the first being the value the
 * field held when the conflict began (and still shows). Null stands for "the field was removed".
 */
export const FieldConflict = z.object({
  values: z.array(ConflictValue),
  /** The version of the change that last added a value. */
  version: z.number().int().nonnegative(),
});
export type FieldConflict = z.infer<typeof FieldConflict>;

/** A document as `doc.get` and `doc.write` return it. */
export const DocumentState = z.object({
  name: DocumentName,
  version: z.number().int().nonnegative(),
  strategy: ConflictStrategy,
  /** Per-field overrides of `strategy`. */
  fieldStrategies: z.record(FieldName, ConflictStrategy),
  fields: z.record(FieldName, JsonValue),
  /** The document version at which each field last changed (conflict detection). */
  fieldVersions: z.record(FieldName, z.number().int().nonnegative()),
  /** The clock of each field last written with one (`timestamp` fields). */
  clocks: z.record(FieldName, Hlc),
  /** The device that last changed each field. */
  fieldDevices: z.record(FieldName, z.string()),
  /** Open `manual` conflicts, by field. */
  conflicts: z.record(FieldName, FieldConflict),
  /** The device of the last change. */
  updatedBy: z.string(),
});
export type DocumentState = z.infer<typeof DocumentState>;

/** A document in `doc.list`: enough to decide what to read. */
export const DocumentSummary = z.object({
  name: DocumentName,
  version: z.number().int().nonnegative(),
  strategy: ConflictStrategy,
  fieldCount: z.number().int().nonnegative(),
  conflictCount: z.number().int().nonnegative(),
  updatedBy: z.string(),
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

/** How one conflicting field of a write came out (`doc.write` replies). */
export const ConflictOutcome = z.object({
  field: FieldName,
  strategy: ConflictStrategy,
  /** The value this write carried (null: it removed the field). */
  yours: JsonValue,
  /** The value the field held (null: absent), set at `theirVersion` by `theirDevice`. */
  theirs: JsonValue,
  theirVersion: z.number().int().nonnegative(),
  theirDevice: z.string(),
  /**
   * `yours` / `theirs`: the `timestamp` winner; `stored`: kept as a `manual` conflict;
   * `returned`: `user_choice`, nothing was written: pick and write again.
   */
  result: z.enum(['yours', 'theirs', 'stored', 'returned']),
});
export type ConflictOutcome = z.infer<typeof ConflictOutcome>;

/** A value a `timestamp` conflict overruled, kept in the event so that no side is lost. */
export const OverruledValue = z.object({
  field: FieldName,
  value: JsonValue,
  deviceId: z.string(),
  version: z.number().int().nonnegative(),
  hlc: Hlc.optional(),
});

/** The body of the `doc.changed` log event: one committed change of one document. */
export const DocumentChanged = z.object({
  name: DocumentName,
  /** The document's version after this change (the first write makes version 1). */
  version: z.number().int().positive(),
  deviceId: z.string(),
  connectionId: z.string(),
  mode: ConnectionMode,
  /** New values of the fields this change set; null: the field was removed. */
  changes: z.record(FieldName, JsonValue),
  /** The clocks of the fields set with one. */
  clocks: z.record(FieldName, Hlc).optional(),
  /** The document's strategy, when this change created the document or changed it. */
  strategy: ConflictStrategy.optional(),
  /** Overrides set (a strategy) or removed (null) by this change. */
  fieldStrategies: z.record(FieldName, ConflictStrategy.nullable()).optional(),
  /** `manual` conflicts this change opened or added to: each field's whole conflict. */
  conflicts: z.record(FieldName, FieldConflict).optional(),
  /** Fields whose conflict this change closed (`doc.resolve`). */
  resolved: z.array(FieldName).optional(),
  /** Values that lost a `timestamp` conflict in this change. */
  overruled: z.array(OverruledValue).optional(),
});
export type DocumentChanged = z.infer<typeof DocumentChanged>;

/** Read one document. Replies `{document}`, null when the session has none by that name. */
export const GetDocument = z.object({
  type: z.literal('doc.get'),
  rid: RequestId,
  sessionId: SessionId,
  name: DocumentName,
});

/** List the session's documents. Replies `{documents}` (summaries, by name). */
export const ListDocuments = z.object({
  type: z.literal('doc.list'),
  rid: RequestId,
  sessionId: SessionId,
});

/**
 * Compare-and-set a document: `patch` applies against `baseVersion` (0: the writer has no
 * version, the document may not exist yet). Replies `{status: 'committed', …}` or, when a
 * `user_choice` conflict hands the write back, `{status: 'conflict', …}` (docs/protocol.md).
 */
export const WriteDocument = z.object({
  type: z.literal('doc.write'),
  rid: RequestId,
  sessionId: SessionId,
  name: DocumentName,
  baseVersion: z.number().int().nonnegative(),
  /** Fields to set (JSON merge patch, one level): null removes the field. */
  patch: z.record(FieldName, JsonValue),
  /** The document's strategy; on the first write `merge` when absent. */
  strategy: ConflictStrategy.optional(),
  /** Per-field strategies to set; null removes a field's override. */
  fieldStrategies: z.record(FieldName, ConflictStrategy.nullable()).optional(),
  /** This write's clock; required when a patched field's strategy is `timestamp`. */
  hlc: Hlc.optional(),
  /**
   * The write's own id, chosen by the writer and sent again with every retry of it: a write the
   * server already committed for this device is answered with its original `seq` and the
   * document as it is now, not applied again. Added in 2; older servers ignore it.
   */
  writeId: InputId.optional(),
});

/**
 * Close an open `manual` conflict: `value` becomes the field's value (null removes it).
 * `baseVersion` is the version the resolver saw; a conflict that grew since is `stale_version`.
 */
export const ResolveDocument = z.object({
  type: z.literal('doc.resolve'),
  rid: RequestId,
  sessionId: SessionId,
  name: DocumentName,
  field: FieldName,
  value: JsonValue,
  baseVersion: z.number().int().nonnegative(),
});

export const DocumentReplies = {
  'doc.get': z.object({ document: DocumentState.nullable() }),
  'doc.list': z.object({ documents: z.array(DocumentSummary) }),
  'doc.write': z.discriminatedUnion('status', [
    z.object({
      status: z.literal('committed'),
      /** The `doc.changed` event's seq. */
      seq: z.number().int().positive(),
      document: DocumentState,
      /** Conflicts met and settled by `timestamp` or stored by `manual`. */
      conflicts: z.array(ConflictOutcome),
    }),
    z.object({
      status: z.literal('conflict'),
      /** The document now: write again with `baseVersion: document.version`. */
      document: DocumentState,
      conflicts: z.array(ConflictOutcome),
    }),
  ]),
  'doc.resolve': z.object({ seq: z.number().int().positive(), document: DocumentState }),
} as const;
