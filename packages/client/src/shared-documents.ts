import {
  applyDocumentChange,
  HybridClock,
  InputId,
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
import {
  isPendingDocumentWrite,
  MemoryDocumentWriteStorage,
  type DocumentWriteStorage,
  type PendingDocumentWrite,
} from './pending-document-writes.js';

/** What one window tells the other windows of its device about documents (cross-tab sync). */
export type SharedDocumentChange =
  | { kind: 'document'; sessionId: SessionId; document: DocumentState }
  | { kind: 'pending'; write: PendingDocumentWrite }
  /**
   * An offline write left the queue: delivered (`result`, so a window still waiting for it
   * hears the reply), refused for good (`error`), or dismissed (neither).
   */
  | {
      kind: 'settled';
      id: string;
      result?: WriteDocumentResult;
      error?: { code: string; message: string };
    };

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
  readonly #storage: DocumentWriteStorage;
  readonly #onStorageError: (error: unknown) => void;
  /** Offline writes of this device not yet delivered (this window's and other windows'). */
  readonly #pending = new ObservableValue<readonly PendingDocumentWrite[]>([]);
  /** Callers still waiting for an offline write of theirs, by write id. */
  readonly #waiters = new Map<
    string,
    { resolve: (r: WriteDocumentResult) => void; reject: (e: unknown) => void }
  >();
  #onShared: (change: SharedDocumentChange) => void = () => {};
  #loading: Promise<void> | undefined;
  #delivering = false;
  /** Its node is random per client: node ids only break ties between equal readings. */
  readonly #hlc = new HybridClock(newInputId());
  readonly #bySession = new Map<SessionId, ObservableValue<DocumentMap>>();
  readonly #volatile = new Set<(message: VolatileMessage) => void>();

  constructor(
    connection: Connection,
    storage: DocumentWriteStorage = new MemoryDocumentWriteStorage(),
    onStorageError: (error: unknown) => void = () => {},
  ) {
    this.#connection = connection;
    this.#storage = storage;
    this.#onStorageError = onStorageError;
  }

  /** Sets who hears of what this window learns or queues, for the other windows of the device. */
  onShared(listener: (change: SharedDocumentChange) => void): void {
    this.#onShared = listener;
  }

  /**
   * Offline writes of this device waiting for the link, oldest first, for
   * `useSyncExternalStore`: what a view shows on top of the confirmed documents, and any whose
   * delivery came back with both values (`conflicts`) for someone to choose.
   */
  pendingWrites(): ExternalStore<readonly PendingDocumentWrite[]> {
    return this.#pending;
  }

  /** Loads the offline writes an earlier run (or a closed window) left in storage, once. */
  loadPending(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const stored = await this.#storage.load();
        const valid = stored.filter(isPendingDocumentWrite);
        for (const write of valid) this.#addPending(write);
      } catch (error) {
        this.#onStorageError(error);
      }
    })();
    return this.#loading;
  }

  /**
   * Delivers the offline writes once the link is up (BatonClient calls it on every connect), in
   * the order they were made, each against the version and with the clock it was made with.
   * A write whose base is above the server's version (the document was restored) is read again
   * and sent against the new version. The link dropping again puts the write back for the next
   * connect.
   */
  async deliverPending(): Promise<void> {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      await this.loadPending();
      for (;;) {
        const write = this.#pending.getSnapshot().find((w) => w.conflicts === undefined);
        if (!write) return;
        if (this.#connection.state.getSnapshot().status !== 'connected') return;
        if (!(await this.#claim(write.id))) {
          // Another window of this device took it (or it was delivered): it is no longer ours.
          this.#removePending(write.id);
          continue;
        }
        let result: WriteDocumentResult;
        try {
          result = await this.#deliver(write);
        } catch (error) {
          if (error instanceof BatonError && isLinkError(error)) {
            await this.#put(write);
            return;
          }
          // Refused for good (too large, a role that may not write): the caller hears why.
          this.#removePending(write.id);
          const refusal =
            error instanceof BatonError
              ? { code: error.code, message: error.message }
              : { code: 'internal', message: String(error) };
          this.#onShared({ kind: 'settled', id: write.id, error: refusal });
          this.#settle(write.id, undefined, error);
          continue;
        }
        this.#keep(write.sessionId, result.document);
        if (result.status === 'conflict' && !this.#waiters.has(write.id)) {
          // Nobody waits to choose: keep both values with the write, so neither side is lost.
          const kept = { ...write, conflicts: result.conflicts };
          await this.#put(kept);
          this.#replacePending(kept);
          this.#onShared({ kind: 'pending', write: kept });
          continue;
        }
        this.#removePending(write.id);
        this.#onShared({ kind: 'settled', id: write.id, result });
        this.#settle(write.id, result);
      }
    } finally {
      this.#delivering = false;
    }
  }

  /** Forgets an offline write that came back with a conflict, once someone chose. */
  async dismissPending(id: string): Promise<void> {
    await this.#claim(id);
    this.#removePending(id);
    this.#onShared({ kind: 'settled', id });
  }

  /** Another window of this device read or wrote a document: keep the newer copy. */
  handlePeer(change: SharedDocumentChange): void {
    switch (change.kind) {
      case 'document':
        this.#keep(change.sessionId, change.document, false);
        return;
      case 'pending': {
        const write = change.write;
        if (!isPendingDocumentWrite(write)) return;
        this.#replacePending(write);
        // Another window delivered this window's write and it came back with both values: the
        // caller waiting here is the one to choose (the document came with the same message
        // stream, just before).
        const document = this.#store(write.sessionId).getSnapshot().get(write.name);
        if (write.conflicts && document && this.#waiters.has(write.id))
          this.#settle(write.id, { status: 'conflict', document, conflicts: write.conflicts });
        // This window's link may be up while the other's is down: deliver it from here.
        if (!write.conflicts && this.#connection.state.getSnapshot().status === 'connected')
          void this.deliverPending();
        return;
      }
      case 'settled':
        this.#removePending(change.id);
        if (change.result) this.#settle(change.id, change.result);
        else if (change.error)
          this.#settle(
            change.id,
            undefined,
            new BatonError(change.error.code, change.error.message),
          );
        return;
    }
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
    if (this.#connection.state.getSnapshot().status !== 'connected')
      return this.#queue(sessionId, name, patch, options);
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

  /**
   * The link is down: the write is kept (storage first, then shown here and in the other
   * windows) and delivered on the next connect. The promise settles then, with the reply.
   */
  async #queue(
    sessionId: SessionId,
    name: string,
    patch: Record<string, JsonValue>,
    options: WriteDocumentOptions,
  ): Promise<WriteDocumentResult> {
    const write: PendingDocumentWrite = {
      id: newInputId(),
      sessionId,
      name,
      patch,
      baseVersion: this.#store(sessionId).getSnapshot().get(name)?.version ?? 0,
      hlc: this.#hlc.now(),
      createdAt: Date.now(),
      ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
      ...(options.fieldStrategies !== undefined
        ? { fieldStrategies: options.fieldStrategies }
        : {}),
    };
    const result = new Promise<WriteDocumentResult>((resolve, reject) =>
      this.#waiters.set(write.id, { resolve, reject }),
    );
    await this.loadPending();
    await this.#put(write);
    this.#addPending(write);
    this.#onShared({ kind: 'pending', write });
    // The link may have come back while the write was being stored.
    if (this.#connection.state.getSnapshot().status === 'connected') void this.deliverPending();
    return result;
  }

  /** Sends one offline write as made; a base above the server's version is read again. */
  async #deliver(write: PendingDocumentWrite): Promise<WriteDocumentResult> {
    const send = (baseVersion: number): Promise<WriteDocumentResult> =>
      this.#connection.request({
        type: 'doc.write',
        sessionId: write.sessionId,
        name: write.name,
        baseVersion,
        patch: write.patch,
        hlc: write.hlc,
        ...(write.strategy !== undefined ? { strategy: write.strategy } : {}),
        ...(write.fieldStrategies !== undefined ? { fieldStrategies: write.fieldStrategies } : {}),
        // A write delivered again after its reply was lost is answered, not applied twice. (An
        // id from elsewhere that is no valid write id is left out rather than refused.)
        ...(InputId.safeParse(write.id).success ? { writeId: write.id } : {}),
      });
    try {
      return await send(write.baseVersion);
    } catch (error) {
      if (!(error instanceof BatonError) || error.code !== 'stale_version') throw error;
      return send((await this.read(write.sessionId, write.name))?.version ?? 0);
    }
  }

  async #put(write: PendingDocumentWrite): Promise<void> {
    try {
      await this.#storage.put(write);
    } catch (error) {
      this.#onStorageError(error);
    }
  }

  async #claim(id: string): Promise<boolean> {
    try {
      return await this.#storage.claim(id);
    } catch (error) {
      // Storage failed: deliver from memory rather than keep the write forever.
      this.#onStorageError(error);
      return true;
    }
  }

  #addPending(write: PendingDocumentWrite): void {
    if (this.#pending.getSnapshot().some((w) => w.id === write.id)) return;
    const next = [...this.#pending.getSnapshot(), write];
    next.sort((a, b) => a.createdAt - b.createdAt);
    this.#pending.set(next);
  }

  #replacePending(write: PendingDocumentWrite): void {
    const held = this.#pending.getSnapshot();
    if (!held.some((w) => w.id === write.id)) return this.#addPending(write);
    this.#pending.set(held.map((w) => (w.id === write.id ? write : w)));
  }

  #removePending(id: string): void {
    const held = this.#pending.getSnapshot();
    if (held.some((w) => w.id === id)) this.#pending.set(held.filter((w) => w.id !== id));
  }

  #settle(id: string, result: WriteDocumentResult | undefined, error?: unknown): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    this.#waiters.delete(id);
    if (result) waiter.resolve(result);
    else waiter.reject(error);
  }

  /** Keeps `document` when newer than the copy held; tells the other windows when `share`. */
  #keep(sessionId: SessionId, document: DocumentState, share = true): void {
    const store = this.#store(sessionId);
    const held = store.getSnapshot().get(document.name);
    if (held !== undefined && held.version >= document.version) return;
    store.set(new Map(store.getSnapshot()).set(document.name, document));
    if (share) this.#onShared({ kind: 'document', sessionId, document });
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

/** Errors that mean the link went away, not that the server refused: the write waits again. */
function isLinkError(error: BatonError): boolean {
  return error.code === 'closed' || error.code === 'disconnected' || error.code === 'timeout';
}
