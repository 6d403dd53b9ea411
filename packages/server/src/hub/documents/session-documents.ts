import {
  DocumentState,
  MAX_DOCUMENTS_PER_SESSION,
  type ClientMessageOf,
  type DocumentChanged,
  type DocumentSummary,
  type ReplyResultOf,
} from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import type { Logger } from '../../logger.js';
import { inputKey, type DocumentRecord, type InputKey, type Store } from '../../storage/store.js';
import type { AppendResult } from '../log-writer.js';
import { writeOnceKey } from './write-once-key.js';
import { decideResolve } from './decide-resolve.js';
import { decideWrite, type DocumentWriter } from './decide-write.js';

export interface SessionDocumentsDeps {
  sessionId: string;
  store: Store;
  log: Logger;
  /**
   * Appends the `doc.changed` event with the document's new state in the same commit; with
   * `once`, at most once per key (a write's `writeId`), storing the key in that commit.
   */
  append(
    event: DocumentChanged,
    document: DocumentRecord,
    once?: InputKey & { digest: string },
  ): Promise<AppendResult>;
}

/**
 * A session's shared documents while this server owns the session: read from the store on first
 * use, then kept in memory and changed only here.
 *
 * Invariant: writes and resolves run one at a time per session (`chain`); each decides against
 * the state the previous one committed, and updates `docs` right after its append resolved,
 * before the next one starts. That is the compare-and-set: no other code path changes a
 * document, and no write decides against a state another write is about to replace.
 */
export class SessionDocuments {
  private docs: Promise<Map<string, DocumentState>> | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SessionDocumentsDeps) {}

  /**
   * Drops what was read, so the next request reads the store again: on a node that follows the
   * session, after another node (the owner) changed a document. Only the owner changes
   * documents, and it does so through `write`/`resolve`, which keep `docs` in step themselves.
   */
  forget(): void {
    this.docs = undefined;
  }

  async get(name: string): Promise<DocumentState | null> {
    return (await this.loaded()).get(name) ?? null;
  }

  async list(): Promise<DocumentSummary[]> {
    const docs = [...(await this.loaded()).values()];
    return docs
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((d) => ({
        name: d.name,
        version: d.version,
        strategy: d.strategy,
        fieldCount: Object.keys(d.fields).length,
        conflictCount: Object.keys(d.conflicts).length,
        updatedBy: d.updatedBy,
      }));
  }

  write(
    msg: ClientMessageOf<'doc.write'>,
    writer: DocumentWriter,
  ): Promise<ReplyResultOf<'doc.write'>> {
    return this.serialized(async (docs) => {
      const current = docs.get(msg.name);
      const once = writeOnceKey(msg, writer.deviceId);
      if (once !== undefined && current !== undefined) {
        // A retry of a write already committed (its reply was lost): answered, not applied again.
        // Writes run one at a time here, so no copy of it can be committing meanwhile.
        const seen = (await this.deps.store.findInputs(this.deps.sessionId, [once])).get(
          inputKey(once),
        );
        if (seen !== undefined) return this.alreadyCommitted(msg, once, seen, current);
      }
      if (current === undefined && docs.size >= MAX_DOCUMENTS_PER_SESSION)
        throw new BatonError(
          'too_many_documents',
          `this session already has ${docs.size} documents, the most a session may have; write to an existing one`,
        );
      const decision = decideWrite(current, msg, writer, Date.now());
      if (decision.kind === 'returned')
        return {
          status: 'conflict',
          document: current!,
          conflicts: decision.conflicts,
        } as const;
      const stored = await this.commit(docs, decision.change, decision.next, once);
      if (stored.duplicate)
        return { status: 'committed', seq: stored.seq, document: current!, conflicts: [] } as const;
      return {
        status: 'committed',
        seq: stored.seq,
        document: decision.next,
        conflicts: decision.conflicts,
      } as const;
    });
  }

  resolve(
    msg: ClientMessageOf<'doc.resolve'>,
    writer: DocumentWriter,
  ): Promise<ReplyResultOf<'doc.resolve'>> {
    return this.serialized(async (docs) => {
      const { change, next } = decideResolve(docs.get(msg.name), msg, writer);
      const { seq } = await this.commit(docs, change, next);
      return { seq, document: next };
    });
  }

  /** The reply to a write this device already made, or a refusal when it reused the id. */
  private alreadyCommitted(
    msg: ClientMessageOf<'doc.write'>,
    once: { digest: string },
    seen: { seq: number; payloadDigest?: string },
    current: DocumentState,
  ): ReplyResultOf<'doc.write'> {
    if (seen.payloadDigest !== undefined && seen.payloadDigest !== once.digest)
      throw new BatonError(
        'bad_request',
        `write id '${msg.writeId}' was already used by this device for a different write (committed at #${seen.seq}); give every new write a new id`,
      );
    return { status: 'committed', seq: seen.seq, document: current, conflicts: [] };
  }

  private async commit(
    docs: Map<string, DocumentState>,
    change: DocumentChanged,
    next: DocumentState,
    once?: InputKey & { digest: string },
  ): Promise<{ seq: number; duplicate: boolean }> {
    const result = await this.deps.append(
      change,
      { name: next.name, version: next.version, state: JSON.stringify(next) },
      once,
    );
    if (result.duplicate) return result;
    // Stored with the event; from now on every decision builds on it (see the class invariant).
    docs.set(next.name, next);
    return { seq: result.committed[0]!.seq, duplicate: false };
  }

  private serialized<T>(run: (docs: Map<string, DocumentState>) => Promise<T>): Promise<T> {
    const result = this.chain.then(async () => run(await this.loaded()));
    this.chain = result.catch(() => undefined);
    return result;
  }

  private loaded(): Promise<Map<string, DocumentState>> {
    if (this.docs === undefined) {
      const docs = this.load();
      this.docs = docs;
      // A failed read is tried again by the next request rather than remembered.
      void docs.catch(() => {
        if (this.docs === docs) this.docs = undefined;
      });
    }
    return this.docs;
  }

  private async load(): Promise<Map<string, DocumentState>> {
    const docs = new Map<string, DocumentState>();
    for (const row of await this.deps.store.listDocuments(this.deps.sessionId)) {
      const parsed = DocumentState.safeParse(JSON.parse(row.state));
      if (parsed.success) docs.set(row.name, parsed.data);
      else
        this.deps.log.error('unreadable stored document; it is left out', {
          session: this.deps.sessionId,
          document: row.name,
        });
    }
    return docs;
  }
}
