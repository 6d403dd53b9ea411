import { RETRYABLE_ERROR_CODES, type LogEvent, type NewLogEvent } from '@baton/protocol';
import {
  inputKey,
  type CommitEntry,
  type DocumentRecord,
  type InputKey,
  type SessionPatch,
  type Store,
  type StoredEvent,
  type StoredInput,
} from '../storage/store.js';
import { toCommitted, type CommittedEvent } from './event-frame.js';
import { BatonError } from '../baton-error.js';
import { storedInputVerdict } from './input-dedupe.js';
import { InputIdCeilings } from './input-id-ceilings.js';
import { InputOrderHolds } from './input-order-holds.js';
import { payloadDigest } from './payload-digest.js';
import { LeaseLost } from '../storage/entry-rejected.js';
import type { SessionLease } from '../storage/session-lease.js';

/** How long a client should wait before retrying an append the store could not write. */
const STORE_RETRY_AFTER_MS = 1000;

/** Who hears about commits that failed and succeeded (store health, degraded sessions). */
export interface LogWriterHooks {
  /**
   * A whole commit failed; every session in it was refused with `error`. `cause` is the store's
   * own error (for example `database or disk is full`).
   */
  onStoreFailed?(error: BatonError, logs: SessionLogState[], cause: Error): void;
  /** A commit went through for these sessions. */
  onStored?(logs: SessionLogState[]): void;
  /** The store refused a session's entry because its lease is no longer current (fencing). */
  onLeaseLost?(log: SessionLogState): void;
  /** A listener (fan-out, the hooks above) threw after a commit; the commit stands. */
  onListenerError?(err: unknown): void;
}

/** The per-session counters the writer owns while the session is live on this node. */
export interface SessionLogState {
  readonly sessionId: string;
  /**
   * The last number allocated. While a commit is in flight it is ahead of what is stored (with
   * PostgreSQL, for a network round trip): it positions allocation only. Positions shown to
   * clients come from `LiveSession.committedSeq`, which moves after the commit.
   */
  headSeq: number;
  lastActivityAt: number;
  /**
   * With many nodes (cluster/): the lease this node holds the session under, sent with every
   * commit so that the store refuses it once another node took over (fencing). NOT_OWNER while
   * this node does not own the session: its appends are refused before a number is allocated.
   * Absent on a single node.
   */
  lease?: SessionLease;
}

/** The lease of a session this node does not own: no epoch is 0, so no commit could pass. */
export const NOT_OWNER: SessionLease = Object.freeze({ sessionId: '', owner: '', epoch: 0 });

export type AppendResult =
  { duplicate: false; committed: CommittedEvent[] } | { duplicate: true; seq: number };

interface PendingAppend {
  log: SessionLogState;
  events: NewLogEvent[];
  /** Set for an input: the dedupe key, (device, input id), and the payload's digest. */
  input?: InputKey & { digest: string };
  /**
   * An input event, which its device sends in the order it made it and sends again when refused
   * with a retryable code: held behind such a refusal (InputOrderHolds). Not a document write,
   * whose client does not send it again by itself.
   */
  ordered?: true;
  /**
   * An input refused before it was queued (refusedBeforeQueue): it stores nothing, and holds its
   * device's later inputs from its place in the queue.
   */
  refusedBefore?: BatonError;
  patch?: Partial<
    Pick<SessionPatch, 'name' | 'status' | 'reason' | 'exitCode' | 'control' | 'hostOut'>
  >;
  /** Shared documents stored in the same commit as the events (their state after them). */
  documents?: readonly DocumentRecord[];
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** What an input append came to when it was neither stored nor a duplicate. */
type Refusal = { refused: BatonError };

/** An input the store has, or (`inBatch`) one allocated earlier in the batch being built. */
type SeenInput = StoredInput & { readonly inBatch?: true };

/** What a batch's order checks decided, for InputOrderHolds once the commit's outcome is known. */
interface OrderNotes {
  /** Refused because an earlier input of their device was. */
  readonly held: Set<PendingAppend>;
  /** Inputs stored before the batch (copies sent again): answered, never held. */
  readonly storedEarlier: Set<PendingAppend>;
}

/**
 * Appends to session logs with group commit.
 *
 * Invariants:
 * - Store, then acknowledge, then fan out: an append's promise resolves, and `onCommitted`
 *   fires, only after the transaction holding it has committed.
 * - Dedupe before allocation: an input whose (device, id) is already stored, or already earlier
 *   in the same batch, gets the original seq (or, with another payload, is refused) and burns no
 *   number. The store is asked only about inputs whose id is not above every id stored for the
 *   session (InputIdCeilings, which says why that is exact).
 * - Gap-free: numbers are allocated in arrival order inside one flush, flushes never overlap, and
 *   after a failed commit each affected head is reloaded from the store, so the next commit
 *   continues right after what is really stored.
 * - Unknown outcomes: a commit that rejects may still have committed (PostgreSQL: the connection
 *   was lost after COMMIT was sent). Before anything is refused, the heads are read back; a
 *   session whose stored head is the one this commit set was stored by it, and its appends are
 *   acknowledged and fanned out like any other.
 *
 * With an asynchronous store (PostgreSQL) every store call here yields to the event loop, and
 * appends, subscribers and other sessions' work run in between. Nothing here relies on a store
 * call finishing inside the call (as better-sqlite3's do); what keeps the invariants is written
 * where it is kept: `flushing` (one flush at a time, including its head reloads), and
 * `SessionLogState.headSeq` being the allocation head, never shown to a client (LiveSession's
 * `committedSeq` is what clients see).
 * - Isolation: an entry the store refuses (its session was deleted in the same tick, a number
 *   taken by another writer) fails only that session's appends; the rest of the batch commits.
 * - A failure of the store as a whole rejects every append of the batch with `unavailable`
 *   (retryable; nothing was stored, nothing acknowledged).
 * - Order behind a refusal: after an input is refused with a retryable code, the inputs its
 *   device sent before it heard are refused too, until the refused ones come back and are stored
 *   (InputOrderHolds), so the next commit that works cannot store them ahead of it.
 * - Group commit: appends that arrive while a flush is running (or in the same tick) share the
 *   next transaction, so throughput grows with concurrency instead of paying a commit per event.
 */
export class LogWriter {
  private queue: PendingAppend[] = [];
  private flushing = false;
  private scheduled = false;
  private readonly ceilings: InputIdCeilings;
  private readonly holds = new InputOrderHolds();

  constructor(
    private readonly store: Store,
    private readonly onCommitted: (log: SessionLogState, events: CommittedEvent[]) => void,
    private readonly hooks: LogWriterHooks = {},
  ) {
    this.ceilings = new InputIdCeilings(store);
  }

  /** Appends waiting for the next flush, while one runs (tests and diagnostics). */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Appends events (no dedupe). Resolves with the committed events. `documents` are stored in the
   * same transaction, so a document's stored state never differs from its events.
   */
  async append(
    log: SessionLogState,
    events: NewLogEvent[],
    patch?: PendingAppend['patch'],
    documents?: readonly DocumentRecord[],
  ): Promise<CommittedEvent[]> {
    const result = await this.enqueue(log, events, { patch, documents });
    if (result.duplicate) throw new Error('unreachable: plain appends are never duplicates');
    return result.committed;
  }

  /**
   * Appends events once per `key` (a device's own id for the change, and a digest of what it
   * asked): a second append with the same key is a duplicate answered with the first one's seq,
   * one with the same key and another digest is refused. The key is stored with the events, in
   * the same commit. For changes other than input events that a client may send again (a shared
   * document write whose reply was lost).
   */
  appendOnce(
    log: SessionLogState,
    events: NewLogEvent[],
    key: InputKey & { digest: string },
    documents?: readonly DocumentRecord[],
  ): Promise<AppendResult> {
    return this.enqueue(log, events, { input: key, documents });
  }

  /**
   * Appends one input event, deduplicated on (device, input id): the same id and payload again
   * is a duplicate; the same id from the same device with another payload is refused.
   */
  appendInput(log: SessionLogState, event: NewLogEvent & { type: 'input' }): Promise<AppendResult> {
    const { deviceId, inputId, payload } = event.data;
    return this.enqueue(log, [event], {
      input: { deviceId, inputId, digest: payloadDigest(payload) },
      ordered: true,
    });
  }

  private enqueue(
    log: SessionLogState,
    events: NewLogEvent[],
    {
      input,
      ordered,
      patch,
      documents,
    }: {
      [K in 'input' | 'ordered' | 'patch' | 'documents']?: PendingAppend[K] | undefined;
    },
  ): Promise<AppendResult> {
    if (log.lease === NOT_OWNER) {
      return Promise.reject(
        new BatonError(
          'unavailable',
          `another node runs session ${log.sessionId} right now; nothing was stored: retry`,
          STORE_RETRY_AFTER_MS,
        ),
      );
    }
    return new Promise<AppendResult>((resolve, reject) => {
      const item: PendingAppend = { log, events, resolve, reject };
      if (input !== undefined) item.input = input;
      if (ordered) item.ordered = true;
      if (patch !== undefined) item.patch = patch;
      if (documents !== undefined) item.documents = documents;
      this.queue.push(item);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate (not a microtask) lets every append arriving in this I/O phase — frames from
    // many sockets read in the same poll — join one transaction.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    // One flush at a time, from allocation to the last head reload after a failure. This is what
    // keeps numbering gap-free with a store that yields: appends arriving during this flush's
    // awaits (findInputs, commit, the reloads) wait in the queue, and are numbered only once this
    // flush's numbers are settled (committed, or given back by reloading the head). With
    // better-sqlite3 no flush could overlap anyway, since its calls finish inside the call; with
    // PostgreSQL, two overlapping flushes would allocate from the same head.
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      await this.commitBatch(batch);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async commitBatch(batch: PendingAppend[]): Promise<void> {
    const bySession = new Map<SessionLogState, PendingAppend[]>();
    for (const item of batch) {
      const list = bySession.get(item.log);
      if (list) list.push(item);
      else bySession.set(item.log, [item]);
    }

    const entries: CommitEntry[] = [];
    const outcomes = new Map<PendingAppend, AppendResult | Refusal>();
    const heads = new Map<SessionLogState, { headSeq: number; lastActivityAt: number }>();
    const order: OrderNotes = { held: new Set(), storedEarlier: new Set() };
    const now = Date.now();
    if (!this.holds.empty) this.holds.prune(now);

    let failed: Map<string, Error>;
    try {
      for (const [log, items] of bySession) {
        const keys = items.flatMap((i) =>
          i.input !== undefined && i.refusedBefore === undefined ? [i.input] : [],
        );
        // Only the keys that could be stored already are looked up (input-id-ceilings.ts).
        const unsure = keys.length > 0 ? await this.ceilings.mayBeStored(log, keys) : [];
        // One map answers both dedupe questions, with one key per input: what the store already
        // has, and (marked `inBatch`) what this batch allocated before.
        const seen: Map<string, SeenInput> =
          unsure.length > 0
            ? await this.store.findInputs(log.sessionId, unsure)
            : new Map<string, SeenInput>();
        heads.set(log, { headSeq: log.headSeq, lastActivityAt: log.lastActivityAt });
        const rows: StoredEvent[] = [];
        const inputs: CommitEntry['inputs'][number][] = [];
        const patch: SessionPatch = { headSeq: log.headSeq, lastActivityAt: now };
        const documents: DocumentRecord[] = [];
        /** Devices with an input refused before it was queued, here: their later ones wait. */
        let refusedHere: Set<string> | undefined;
        for (const item of items) {
          // In arrival order, so that what came after a refused input stays after it.
          const { input } = item;
          if (input !== undefined && item.refusedBefore !== undefined) {
            (refusedHere ??= new Set()).add(input.deviceId);
            outcomes.set(item, { refused: item.refusedBefore });
            continue;
          }
          const key = input !== undefined ? inputKey(input) : undefined;
          const found = key !== undefined ? seen.get(key) : undefined;
          // A copy of an input stored before this batch is answered before any hold is asked:
          // it takes no place among the inputs still to be stored.
          if (found !== undefined && found.inBatch !== true) {
            order.storedEarlier.add(item);
            outcomes.set(item, storedOutcome(input!, found));
            continue;
          }
          if (
            item.ordered &&
            input !== undefined &&
            (refusedHere?.has(input.deviceId) === true ||
              (!this.holds.empty &&
                this.holds.admit(log.sessionId, input.deviceId, input.inputId, now) === 'held'))
          ) {
            order.held.add(item);
            outcomes.set(item, { refused: heldBehindRefusal(log.sessionId) });
            continue;
          }
          // A second copy of an input allocated earlier in this batch.
          if (found !== undefined) {
            outcomes.set(item, storedOutcome(input!, found));
            continue;
          }
          const committed: CommittedEvent[] = [];
          for (const e of item.events) {
            const seq = ++log.headSeq;
            const row: StoredEvent = {
              seq,
              ts: now,
              type: e.type,
              dataJson: JSON.stringify(e.data),
            };
            rows.push(row);
            committed.push(
              toCommitted(log.sessionId, row, {
                seq,
                ts: now,
                type: e.type,
                data: e.data,
              } as LogEvent),
            );
          }
          if (input !== undefined && key !== undefined) {
            const { deviceId, inputId, digest } = input;
            const seq = committed[0]!.seq;
            inputs.push({ deviceId, inputId, seq, payloadDigest: digest });
            // A second copy later in this batch is a duplicate (or a refused reuse).
            seen.set(key, { seq, payloadDigest: digest, inBatch: true });
          }
          if (item.patch) Object.assign(patch, item.patch);
          if (item.documents) documents.push(...item.documents);
          outcomes.set(item, { duplicate: false, committed });
        }
        patch.headSeq = log.headSeq;
        log.lastActivityAt = now;
        if (rows.length > 0)
          entries.push({
            sessionId: log.sessionId,
            events: rows,
            inputs,
            patch,
            ...(log.lease !== undefined ? { lease: log.lease } : {}),
            ...(documents.length > 0 ? { documents } : {}),
          });
      }
      failed = entries.length > 0 ? (await this.store.commit(entries)).failed : new Map();
    } catch (err) {
      const landed = await this.outcomeAfterError(entries, heads);
      if (landed !== undefined) {
        failed = landed;
      } else {
        await this.failWhole(batch, [...bySession.keys()], heads, order, err);
        return;
      }
    }
    await this.settle(batch, bySession, outcomes, heads, order, failed, entries);
  }

  /**
   * After `commit` rejected: whether it committed all the same (its reply was lost). Read back,
   * each session's head is either the one this commit set (its entry was stored) or not. Since
   * this writer is the only one allocating for its sessions, a stored head equal to the one
   * this commit wrote can only come from this commit; one such entry means the transaction
   * committed, and the others were left out on their own. Undefined when no entry was stored,
   * or when the heads cannot be read (then the outcome stays unknown and the batch is refused;
   * if it did commit, the next commit meets the stored numbers and reloads the head).
   */
  private async outcomeAfterError(
    entries: readonly CommitEntry[],
    heads: Map<SessionLogState, { headSeq: number; lastActivityAt: number }>,
  ): Promise<Map<string, Error> | undefined> {
    if (entries.length === 0) return undefined;
    const before = new Map([...heads].map(([log, h]) => [log.sessionId, h.headSeq]));
    const failed = new Map<string, Error>();
    let stored = 0;
    try {
      for (const entry of entries) {
        const record = await this.store.getSession(entry.sessionId);
        const wasStored =
          record !== undefined &&
          record.headSeq === entry.patch.headSeq &&
          entry.patch.headSeq !== before.get(entry.sessionId);
        if (wasStored) stored++;
        else failed.set(entry.sessionId, new Error('the entry was not stored'));
      }
    } catch {
      return undefined;
    }
    return stored > 0 ? failed : undefined;
  }

  /** The store itself failed (full disk, I/O error): nothing of the batch is stored. */
  private async failWhole(
    batch: PendingAppend[],
    logs: SessionLogState[],
    heads: Map<SessionLogState, { headSeq: number; lastActivityAt: number }>,
    order: OrderNotes,
    err: unknown,
  ): Promise<void> {
    const error =
      err instanceof BatonError
        ? err
        : new BatonError(
            'unavailable',
            `the store cannot write (${(err as Error).message}); nothing was stored: retry`,
            STORE_RETRY_AFTER_MS,
          );
    for (const item of batch) {
      this.trackOrder(item, error, order);
      item.reject(error);
    }
    const cause = err instanceof Error ? err : new Error(String(err));
    this.notify(() => this.hooks.onStoreFailed?.(error, logs, cause));
    await this.reloadHeads(heads);
  }

  /** After the commit: refusals, acknowledgements and fan-out. */
  private async settle(
    batch: PendingAppend[],
    bySession: Map<SessionLogState, PendingAppend[]>,
    outcomes: Map<PendingAppend, AppendResult | Refusal>,
    heads: Map<SessionLogState, { headSeq: number; lastActivityAt: number }>,
    order: OrderNotes,
    failed: Map<string, Error>,
    entries: readonly CommitEntry[],
  ): Promise<void> {
    // Sessions whose entry was left out fail alone; every other session's appends stand.
    const refused = new Map<SessionLogState, BatonError>();
    for (const log of bySession.keys()) {
      const err = failed.get(log.sessionId);
      if (err instanceof LeaseLost) this.notify(() => this.hooks.onLeaseLost?.(log));
      if (err) refused.set(log, await this.refusal(log, err));
    }
    // Acknowledge in arrival order, then fan out per session in sequence order.
    for (const item of batch) {
      const o = outcomes.get(item)!;
      const error = refused.get(item.log) ?? ('refused' in o ? o.refused : undefined);
      this.trackOrder(item, error, order);
      if (error !== undefined) item.reject(error);
      else if (!('refused' in o)) item.resolve(o);
    }
    for (const [log, items] of bySession) {
      if (refused.has(log)) continue;
      const committed: CommittedEvent[] = [];
      for (const item of items) {
        const o = outcomes.get(item)!;
        if (!('refused' in o) && !o.duplicate) committed.push(...o.committed);
      }
      if (committed.length > 0) this.notify(() => this.onCommitted(log, committed));
    }
    // Only what the store wrote says it can write: a batch of duplicates and held inputs wrote
    // nothing, and must not clear a full disk's degraded state.
    const written = new Set(entries.map((e) => e.sessionId));
    const stored = [...bySession.keys()].filter((l) => written.has(l.sessionId) && !refused.has(l));
    if (stored.length > 0) this.notify(() => this.hooks.onStored?.(stored));
    if (refused.size > 0) {
      await this.reloadHeads(new Map([...heads].filter(([log]) => refused.has(log))));
    }
  }

  /**
   * An input refused before it was queued, because what it needs first could not be read (its
   * attachments' records): a retryable refusal holds its device's later inputs as the store's
   * does. Called before the session's next input is queued (InOrderAppends keeps that order).
   */
  refusedBeforeQueue(log: SessionLogState, deviceId: string, inputId: string, err: unknown): void {
    const code = err instanceof BatonError ? err.code : 'internal';
    if (!RETRYABLE_ERROR_CODES.has(code) || log.lease === NOT_OWNER) return;
    // Queued, not recorded at once: inputs of the device already queued were made before it,
    // and the hold must see the refusals in the order the device made its inputs.
    const refusedBefore = err instanceof BatonError ? err : new BatonError('internal', String(err));
    this.queue.push({
      log,
      events: [],
      input: { deviceId, inputId, digest: '' },
      ordered: true,
      refusedBefore,
      resolve: () => {},
      reject: () => {},
    });
    this.schedule();
  }

  /**
   * Tells InputOrderHolds what became of an input: refused with a retryable code, it holds its
   * device's later inputs; stored or refused for good, it leaves its hold. Called in arrival
   * order, which is the order the refusals are sent in.
   */
  private trackOrder(item: PendingAppend, error: BatonError | undefined, order: OrderNotes): void {
    if (!item.ordered || item.input === undefined) return;
    const { deviceId, inputId } = item.input;
    // A copy of an input already stored leaves the hold even when the batch failed: the next
    // copy is answered as a duplicate before any hold is asked.
    const retry =
      error !== undefined &&
      RETRYABLE_ERROR_CODES.has(error.code) &&
      !order.storedEarlier.has(item);
    if (retry)
      this.holds.refused(item.log.sessionId, deviceId, inputId, Date.now(), !order.held.has(item));
    else if (!this.holds.empty) this.holds.settled(item.log.sessionId, deviceId, inputId);
  }

  /**
   * Runs a listener after a commit. What is committed stays committed: a listener that throws
   * (one session's fan-out) is reported and never fails the flush or the other sessions.
   */
  private notify(listener: () => void): void {
    try {
      listener();
    } catch (err) {
      this.hooks.onListenerError?.(err);
    }
  }

  private async refusal(log: SessionLogState, err: Error): Promise<BatonError> {
    if (err instanceof LeaseLost) {
      return new BatonError(
        'unavailable',
        `another node took session ${log.sessionId} over; nothing was stored: retry`,
        STORE_RETRY_AFTER_MS,
      );
    }
    const gone = await this.store.getSession(log.sessionId).then(
      (s) => s === undefined,
      () => false,
    );
    return gone
      ? new BatonError('not_found', `session ${log.sessionId} was deleted; nothing was stored`)
      : new BatonError(
          'internal',
          `the event could not be stored (${err.message}); nothing was stored: retry`,
        );
  }

  /**
   * After a failed commit the head is read back from the store rather than trusted from memory:
   * if another writer took the numbers this one allocated, the next commit starts after them
   * instead of retrying the same number forever. When even that read fails, the numbers of the
   * failed commit are reused (nothing of it was stored).
   */
  private async reloadHeads(
    saved: Map<SessionLogState, { headSeq: number; lastActivityAt: number }>,
  ): Promise<void> {
    for (const [log, before] of saved) {
      try {
        const record = await this.store.getSession(log.sessionId);
        log.headSeq = record?.headSeq ?? before.headSeq;
        log.lastActivityAt = record?.lastActivityAt ?? before.lastActivityAt;
      } catch {
        log.headSeq = before.headSeq;
        log.lastActivityAt = before.lastActivityAt;
      }
    }
  }
}

/** The answer to an input already stored (before this batch, or earlier in it). */
function storedOutcome(
  input: InputKey & { digest: string },
  seen: StoredInput,
): AppendResult | Refusal {
  const verdict = storedInputVerdict(input, seen);
  return verdict instanceof BatonError
    ? { refused: verdict }
    : { duplicate: true, seq: verdict.seq };
}

/** The refusal of an input sent before its device heard that an earlier one was refused. */
function heldBehindRefusal(sessionId: string): BatonError {
  return new BatonError(
    'unavailable',
    `an earlier input of this device on session ${sessionId} was not stored, so this one was not ` +
      'either (inputs keep the order they were made in): send the refused inputs again, in order',
    STORE_RETRY_AFTER_MS,
  );
}
