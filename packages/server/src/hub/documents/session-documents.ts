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
import type { DocumentRecord, Store } from '../../storage/store.js';
import type { CommittedEvent } from '../event-frame.js';
import { decideResolve } from './decide-resolve.js';
import { decideWrite, type DocumentWriter } from './decide-write.js';

export interface SessionDocumentsDeps {
  sessionId: string;
  store: Store;
  log: Logger;
  /** Appends the `doc.changed` event with the document's new state in the same commit. */
  append(event: DocumentChanged, document: DocumentRecord): Promise<CommittedEvent[]>;
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
      const seq = await this.commit(docs, decision.change, decision.next);
      return {
        status: 'committed',
        seq,
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
      const seq = await this.commit(docs, change, next);
      return { seq, document: next };
    });
  }

  private async commit(
    docs: Map<string, DocumentState>,
    change: DocumentChanged,
    next: DocumentState,
  ): Promise<number> {
    const [committed] = await this.deps.append(change, {
      name: next.name,
      version: next.version,
      state: JSON.stringify(next),
    });
    // Stored with the event; from now on every decision builds on it (see the class invariant).
    docs.set(next.name, next);
    return committed!.seq;
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
