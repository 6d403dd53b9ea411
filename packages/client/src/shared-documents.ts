import {
  applyDocumentChange,
  HybridClock,
  type ConflictOutcome,
  type ConflictStrategy,
  type DocumentState,
  type DocumentSummary,
  type JsonValue,
  type LogEvent,
  type ReplyResultOf,
  type SessionId,
  type VolatileMessage,
} from '@baton/protocol';
import { BatonError } from './baton-error.js';
import type { Connection } from './connection.js';
import { newInputId } from './new-input-id.js';
import { ObservableValue, type ExternalStore } from './observable-value.js';

/** Documents of one session this client has read or seen change, by name. */
export type DocumentMap = ReadonlyMap<string, DocumentState>;

/**
 * Decides conflicting fields the server handed back (`merge` and `user_choice`): returns the
 * values to write (a side, or a merged value) against `document`, or undefined to stop there.
 */
export type ConflictChooser = (
  conflicts: readonly ConflictOutcome[],
  document: DocumentState,
) => Record<string, JsonValue> | undefined;

/** Options of `SharedDocuments.write`. */
export interface WriteDocumentOptions {
  /** The document's strategy (on its first write `merge` when absent). */
  strategy?: ConflictStrategy;
  /** Per-field strategies to set; null removes an override. */
  fieldStrategies?: Record<string, ConflictStrategy | null>;
  /** Called for fields handed back; without it, the reply with them is returned as is. */
  choose?: ConflictChooser;
}

/** What a `write` came to: the last reply, after any follow-up writes `choose` asked for. */
export type WriteDocumentResult = ReplyResultOf<'doc.write'>;

/** Writes are retried at most this often (a stale copy, then each follow-up of `choose`). */
const MAX_ATTEMPTS = 5;

/**
 * Shared documents and volatile state of sessions (docs/protocol.md section 17), through one
 * client's connection. Keeps a copy of each document it read, kept current by the `doc.changed`
 * events of subscribed sessions; writes are compare-and-set against that copy, retried as the
 * strategy allows. Every write carries this device's hybrid logical clock, which observes every
 * clock it sees, so `timestamp` fields order writes across devices.
 */
export class SharedDocuments {
  readonly #connection: Connection;
  /** Its node is random per client: node ids only break ties between equal readings. */
  readonly #hlc = new HybridClock(newInputId());
  readonly #bySession = new Map<SessionId, ObservableValue<DocumentMap>>();
  readonly #volatile = new Set<(message: VolatileMessage) => void>();

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  /** The documents of a session this client holds, for `useSyncExternalStore`. */
  documents(sessionId: SessionId): ExternalStore<DocumentMap> {
    return this.#store(sessionId);
  }

  /** Reads a document from the server (null: none by that name) and keeps it. */
  async read(sessionId: SessionId, name: string): Promise<DocumentState | null> {
    const { document } = await this.#connection.request({ type: 'doc.get', sessionId, name });
    if (document) this.#keep(sessionId, document);
    return document;
  }

  async list(sessionId: SessionId): Promise<DocumentSummary[]> {
    return (await this.#connection.request({ type: 'doc.list', sessionId })).documents;
  }

  /**
   * Writes `patch` (null removes a field) against the copy this client holds, reading the
   * document first when it holds none. A stale copy is read again and the write retried; fields
   * the server hands back go to `options.choose`, whose answer is written against the new
   * version. Resolves with the last reply: `status: 'conflict'` or `returned` conflicts mean the
   * caller still has a choice to make.
   *
   * @example
   * await client.documents.write(sessionId, 'ui', { sidebar: 'open' }, { strategy: 'merge' });
   */
  async write(
    sessionId: SessionId,
    name: string,
    patch: Record<string, JsonValue>,
    options: WriteDocumentOptions = {},
  ): Promise<WriteDocumentResult> {
    let next = patch;
    let base = this.#store(sessionId).getSnapshot().get(name)?.version;
    for (let attempt = 1; ; attempt++) {
      base ??= (await this.read(sessionId, name))?.version ?? 0;
      let reply: WriteDocumentResult;
      try {
        reply = await this.#connection.request({
          type: 'doc.write',
          sessionId,
          name,
          baseVersion: base,
          patch: next,
          hlc: this.#hlc.now(),
          ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
          ...(options.fieldStrategies !== undefined
            ? { fieldStrategies: options.fieldStrategies }
            : {}),
        });
      } catch (err) {
        // Our copy is from another history (a restore): read it again and retry once more.
        if (err instanceof BatonError && err.code === 'stale_version' && attempt < MAX_ATTEMPTS) {
          base = undefined;
          continue;
        }
        throw err;
      }
      this.#keep(sessionId, reply.document);
      const handedBack = reply.conflicts.filter((c) => c.result === 'returned');
      if (handedBack.length === 0 || options.choose === undefined || attempt >= MAX_ATTEMPTS)
        return reply;
      const chosen = options.choose(handedBack, reply.document);
      if (chosen === undefined) return reply;
      // user_choice committed nothing: the rest of the write goes again with the choice.
      next = reply.status === 'conflict' ? { ...next, ...chosen } : chosen;
      base = reply.document.version;
    }
  }

  /** Closes an open `manual` conflict with `value` (null removes the field). */
  async resolve(
    sessionId: SessionId,
    name: string,
    field: string,
    value: JsonValue,
  ): Promise<DocumentState> {
    const held =
      this.#store(sessionId).getSnapshot().get(name) ?? (await this.read(sessionId, name));
    if (!held) throw new BatonError('not_found', `this session has no document '${name}'`);
    const { document } = await this.#connection.request({
      type: 'doc.resolve',
      sessionId,
      name,
      field,
      value,
      baseVersion: held.version,
    });
    this.#keep(sessionId, document);
    return document;
  }

  /**
   * Sends volatile state (typing, a cursor) to the session's other subscribers; false when the
   * link is down (volatile state is never queued: a later value replaces it anyway).
   */
  sendVolatile(sessionId: SessionId, key: string, data: JsonValue): boolean {
    return this.#connection.send({ type: 'volatile', sessionId, key, data });
  }

  /** Listens to other devices' volatile state; returns the function that stops listening. */
  onVolatile(listener: (message: VolatileMessage) => void): () => void {
    this.#volatile.add(listener);
    return () => this.#volatile.delete(listener);
  }

  /** An event applied to a subscribed session's log, in order (BatonClient routes them here). */
  handleEvent(sessionId: SessionId, event: LogEvent): void {
    if (event.type !== 'doc.changed') return;
    const change = event.data;
    for (const clock of Object.values(change.clocks ?? {})) this.#hlc.observe(clock);
    const store = this.#store(sessionId);
    const held = store.getSnapshot().get(change.name);
    if (held !== undefined && held.version >= change.version) return;
    const map = new Map(store.getSnapshot());
    if (held === undefined ? change.version === 1 : held.version === change.version - 1)
      map.set(change.name, applyDocumentChange(held, change));
    // A gap (events before a snapshot, or a document read after them): drop the copy; the next
    // read or write fetches it whole.
    else if (held !== undefined) map.delete(change.name);
    else return;
    store.set(map);
  }

  /** A snapshot replaced a session's view: documents may have changed in what it skipped. */
  handleSnapshot(sessionId: SessionId): void {
    this.#bySession.get(sessionId)?.set(new Map());
  }

  handleVolatile(message: VolatileMessage): void {
    for (const listener of [...this.#volatile]) listener(message);
  }

  #keep(sessionId: SessionId, document: DocumentState): void {
    const store = this.#store(sessionId);
    const held = store.getSnapshot().get(document.name);
    if (held !== undefined && held.version >= document.version) return;
    store.set(new Map(store.getSnapshot()).set(document.name, document));
  }

  #store(sessionId: SessionId): ObservableValue<DocumentMap> {
    let store = this.#bySession.get(sessionId);
    if (!store) {
      store = new ObservableValue<DocumentMap>(new Map());
      this.#bySession.set(sessionId, store);
    }
    return store;
  }
}
