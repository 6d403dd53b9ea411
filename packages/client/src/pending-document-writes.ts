import {
  ConflictStrategy,
  DocumentName,
  Hlc,
  JsonValue,
  SessionId,
  type ConflictOutcome,
} from '@baton/protocol';

/**
 * A document write made while the link was down, kept until it is delivered (docs/protocol.md
 * section 17). It goes to the server as it was made: against the version the writer saw and with
 * the clock reading taken when it was made, so the document's strategy settles it like any
 * concurrent write (a `timestamp` field still orders it by when it was typed, not delivered).
 */
export interface PendingDocumentWrite {
  id: string;
  sessionId: SessionId;
  name: string;
  patch: Record<string, JsonValue>;
  baseVersion: number;
  hlc: Hlc;
  strategy?: ConflictStrategy;
  fieldStrategies?: Record<string, ConflictStrategy | null>;
  /** Epoch milliseconds when the write was made; writes are delivered in this order. */
  createdAt: number;
  /**
   * Set once delivered when the server committed nothing (`user_choice`): both values, kept until
   * someone picks a side (`SharedDocuments.write` again, then `dismissPending`). Such a write is
   * not delivered again.
   */
  conflicts?: ConflictOutcome[];
}

/**
 * Where offline document writes wait. Shared by every window of a device (IndexedDB in the web
 * app), so `claim` decides which window delivers a write: it removes the write and says whether
 * it was still there, atomically, and only the window that removed it sends it. (The write's id
 * goes with it as `writeId`, so the server answers a second delivery of a committed write
 * without applying it; claiming keeps windows from even sending it twice.)
 */
export interface DocumentWriteStorage {
  load(): PendingDocumentWrite[] | Promise<PendingDocumentWrite[]>;
  put(write: PendingDocumentWrite): void | Promise<void>;
  /** Removes the write; true when this call removed it (false: another window had it first). */
  claim(id: string): boolean | Promise<boolean>;
}

/** Keeps offline document writes in memory: they survive reconnects, not a restart. */
export class MemoryDocumentWriteStorage implements DocumentWriteStorage {
  readonly #writes = new Map<string, PendingDocumentWrite>();

  load(): PendingDocumentWrite[] {
    return [...this.#writes.values()].map((w) => structuredClone(w));
  }

  put(write: PendingDocumentWrite): void {
    this.#writes.set(write.id, structuredClone(write));
  }

  claim(id: string): boolean {
    return this.#writes.delete(id);
  }
}

/**
 * True when `value` has the shape of a pending write. Storage and other windows are outside
 * this process: anything that does not fit is skipped by the caller, never sent.
 */
export function isPendingDocumentWrite(value: unknown): value is PendingDocumentWrite {
  if (typeof value !== 'object' || value === null) return false;
  const w = value as Record<string, unknown>;
  const patch = w['patch'];
  return (
    typeof w['id'] === 'string' &&
    w['id'].length > 0 &&
    SessionId.safeParse(w['sessionId']).success &&
    DocumentName.safeParse(w['name']).success &&
    typeof patch === 'object' &&
    patch !== null &&
    !Array.isArray(patch) &&
    Object.values(patch).every((v) => JsonValue.safeParse(v).success) &&
    typeof w['baseVersion'] === 'number' &&
    Number.isInteger(w['baseVersion']) &&
    w['baseVersion'] >= 0 &&
    Hlc.safeParse(w['hlc']).success &&
    (w['strategy'] === undefined || ConflictStrategy.safeParse(w['strategy']).success) &&
    typeof w['createdAt'] === 'number'
  );
}
