import {
  InputId,
  InputPayload,
  SessionId,
  type AckMessage,
  type ErrorFrameMessage,
} from '@baton/protocol';
import { BatonError, isRetryableCode } from './baton-error.js';
import type { Clock } from './clock.js';
import { newInputId } from './new-input-id.js';
import { ObservableValue, type ExternalStore, type Listener } from './observable-value.js';
import type { OutboxRecord, OutboxStorage } from './outbox-storage.js';
import type { SealedPayload } from './sealing/session-sealing.js';

/**
 * What one window tells the other windows of its device about its outbox (cross-tab sync):
 * an input it added or discarded, and the server's acknowledgement of one (`acknowledged`, added
 * later: a window of a build before it skips the message and sends the input itself).
 */
export type SharedOutboxChange =
  | { kind: 'added'; record: OutboxRecord }
  | { kind: 'discarded'; inputId: string }
  | { kind: 'acknowledged'; sessionId: SessionId; inputId: string; seq: number };

/**
 * How long a window leaves an input another window added to that window, counted from the
 * moment this window could send it (connected, the session ready): the adding window sends it
 * then too, and its acknowledgement reaches this one over the channel. Only if none came (the
 * other window is offline, closed or frozen) does this window send it, so an input is sent once,
 * not once per window, and is never lost with a window.
 */
export const ADOPTED_INPUT_GRACE_MS = 2000;

/**
 * Where an input is on its way to the log.
 * - `pending`: stored locally, waiting for the link (or for the session's subscription).
 * - `sent`: on the wire on the current connection, not yet acknowledged.
 * - `confirmed`: acknowledged at `seq`; shown until the confirmed log contains it.
 * - `failed`: rejected for good (`error` says why); kept visible until retried or discarded.
 */
export type InputStatus = 'pending' | 'sent' | 'confirmed' | 'failed';

/** An input of this device that the confirmed log may not show yet. */
export interface OutboxEntry {
  readonly inputId: string;
  readonly sessionId: SessionId;
  readonly payload: InputPayload;
  readonly createdAt: number;
  readonly status: InputStatus;
  /** The log position, once acknowledged. */
  readonly seq: number | undefined;
  readonly error: { readonly code: string; readonly message: string } | undefined;
}

/** What `send` resolves with once the input is durable on the server. */
export interface InputAck {
  seq: number;
  /** True when the server had already stored this input id (a retry). */
  duplicate: boolean;
}

/** A submitted input: its id at once, and a promise settled by the server's answer. */
export interface SubmittedInput {
  inputId: string;
  /** Resolves on `ack`; rejects with a `BatonError` when the server rejects the input for good. */
  confirmed: Promise<InputAck>;
}

/** How the outbox reaches the server. */
export interface OutboxSender {
  /** Whether inputs of this session may go out now (link up, subscription live if any). */
  canSend(sessionId: SessionId): boolean;
  /**
   * Puts one input frame on the wire; false if it could not be written. With `sealed` (a sealed
   * session), that goes on the wire in place of `payload`, which must never leave the device.
   */
  send(
    frame: { type: 'input'; sessionId: SessionId; inputId: string; payload: InputPayload },
    sealed?: SealedPayload,
  ): boolean;
}

/**
 * Seals an input for its session when the session is sealed (undefined when it is not). Called
 * once per input, in the order inputs are added, before the input may be sent.
 */
export type InputSealer = (
  sessionId: SessionId,
  inputId: string,
  payload: InputPayload,
) => Promise<SealedPayload | undefined>;

interface Entry {
  record: OutboxRecord;
  status: InputStatus;
  seq: number | undefined;
  /** The storage `put` finished; only stored inputs are sent, so a crash cannot lose a sent one. */
  stored: boolean;
  settle: { resolve(ack: InputAck): void; reject(error: BatonError): void } | undefined;
  /** A terminal input: kept in memory only, expires, dropped (not failed) when refused. */
  volatile: boolean;
  /** Added by another window: not sent from here before this time (`ADOPTED_INPUT_GRACE_MS`). */
  heldUntil?: number;
  /**
   * Added by another window, and this window could not send since it learnt of it (or since
   * its link dropped): the hold starts anew at the first flush that could send it, since the
   * adding window gets its chance from its own reconnect at the same moment.
   */
  holdFromNextSend?: boolean;
  /** The last published view; reused while unchanged so snapshots keep their identity. */
  view?: OutboxEntry;
}

const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * How long a terminal input may wait to be sent. Keys are meant for the screen the user saw when
 * typing; after this they are dropped rather than typed, later, into whatever program is then in
 * the foreground.
 */
export const TERMINAL_INPUT_TTL_MS = 5000;

/**
 * Why terminal inputs were dropped without being typed:
 * - `expired`: not sent within `TERMINAL_INPUT_TTL_MS` (offline), or left from an earlier run of
 *   the app.
 * - `restarted`: typed for a run of the session that has ended (the server said `stale_input`,
 *   or the session's `run` moved on before they were sent).
 * - `not_running`: the session's program is not running (`session_not_running`).
 */
export type DropReason = 'expired' | 'restarted' | 'not_running';

/** Terminal inputs of one session dropped for one reason, reported together. */
export interface DroppedInputs {
  sessionId: SessionId;
  count: number;
  reason: DropReason;
}

/**
 * The persisted outbox of this device's inputs (lesson 5: optimistic inputs are rebased, never
 * replaced). An input leaves it only when the server acknowledges it or rejects it for good.
 * Every unacknowledged input is resent with the same input id after each reconnect; the server
 * dedupes on that id, so a retry never doubles an input. Inputs of one session go out in the
 * order they were created.
 *
 * Terminal inputs (keystrokes) are different: they are never written to storage, they expire
 * after `TERMINAL_INPUT_TTL_MS` unsent, and when the session's program restarted they are
 * dropped, not kept as failed. Every drop is reported (`onDropped`) so the user can be told.
 */
export class Outbox implements ExternalStore<readonly OutboxEntry[]> {
  readonly #storage: OutboxStorage;
  readonly #sender: OutboxSender;
  readonly #clock: Clock;
  readonly #onStorageError: (error: unknown) => void;
  readonly #onDropped: (dropped: DroppedInputs) => void;
  readonly #seal: InputSealer | undefined;
  /** Told of every stored input this window adds or discards, for the other windows. */
  #onShared: (change: SharedOutboxChange) => void = () => {};
  readonly #entries: Entry[] = [];
  readonly #view = new ObservableValue<readonly OutboxEntry[]>([]);
  #storageChain: Promise<void> = Promise.resolve();
  #loaded = false;
  #loading: Promise<void> | undefined;
  #nextOrder = 1;
  #retryTimer: unknown;
  #expiryTimer: unknown;
  #heldTimer: unknown;
  /** Sessions with an input refused with a retryable code since their inputs last all went out. */
  readonly #refusedSessions = new Set<SessionId>();

  constructor(
    storage: OutboxStorage,
    sender: OutboxSender,
    clock: Clock,
    onStorageError: (error: unknown) => void,
    onDropped: (dropped: DroppedInputs) => void = () => {},
    seal?: InputSealer,
  ) {
    this.#seal = seal;
    this.#storage = storage;
    this.#sender = sender;
    this.#clock = clock;
    this.#onStorageError = onStorageError;
    this.#onDropped = onDropped;
  }

  readonly subscribe = (listener: Listener): (() => void) => this.#view.subscribe(listener);
  readonly getSnapshot = (): readonly OutboxEntry[] => this.#view.getSnapshot();

  /** Loads stored inputs once (earlier runs' undelivered inputs) and sends what can go. */
  load(): Promise<void> {
    this.#loading ??= this.#runStorage(async () => {
      const all = (await this.#storage.load()).filter(isValidRecord);
      // Keystrokes stored by an earlier version of the app are never replayed.
      const stale = all.filter((r) => r.payload.kind === 'terminal');
      for (const record of stale) await this.#storage.delete(record.inputId);
      this.#reportDropped(
        stale.map((r) => r.sessionId),
        'expired',
      );
      const records = all.filter((r) => r.payload.kind !== 'terminal');
      records.sort((a, b) => a.createdAt - b.createdAt || a.order - b.order);
      const known = new Set(this.#entries.map((e) => e.record.inputId));
      const loaded = records
        .filter((r) => !known.has(r.inputId))
        .map<Entry>((record) => ({
          record,
          status: record.failed ? 'failed' : 'pending',
          seq: undefined,
          stored: true,
          settle: undefined,
          volatile: false,
        }));
      this.#entries.unshift(...loaded);
      for (const entry of loaded) this.#sealLoaded(entry);
      this.#nextOrder = Math.max(this.#nextOrder, ...records.map((r) => r.order + 1));
      this.#loaded = true;
      this.#publish();
      this.flush();
    });
    return this.#loading;
  }

  /** Sets who hears of each stored (non-keystroke) input this window adds or discards. */
  onShared(listener: (change: SharedOutboxChange) => void): void {
    this.#onShared = listener;
  }

  /**
   * Another window of this device discarded an input: drop it here too, so this window never
   * sends what the user threw away. One already on its way is left to the server's answer.
   */
  forget(inputId: string): void {
    const index = this.#entries.findIndex((e) => e.record.inputId === inputId);
    const entry = this.#entries[index];
    if (!entry || entry.status === 'sent' || entry.status === 'confirmed') return;
    this.#entries.splice(index, 1);
    entry.settle?.reject(new BatonError('bad_request', `input ${inputId} was discarded`));
    this.#publish();
  }

  /**
   * Takes in an input another window of this device added (cross-tab sync): it shows here at
   * once as pending. The adding window sends it and shares the acknowledgement
   * (`acknowledgedElsewhere`); this window sends it only when none came within
   * `ADOPTED_INPUT_GRACE_MS`. Invariant: any window sends it with the same input id, and the
   * server stores an input id once (lesson 3), so a second copy is acknowledged as a duplicate
   * and the log never holds it twice. The record is already in the shared storage (the adding
   * window writes it), so it is not written again here.
   */
  adopt(record: OutboxRecord): void {
    if (!isValidRecord(record) || record.payload.kind === 'terminal') return;
    if (this.#find(record.inputId)) return;
    const entry: Entry = {
      record,
      status: record.failed ? 'failed' : 'pending',
      seq: undefined,
      stored: true,
      settle: undefined,
      volatile: false,
      holdFromNextSend: true,
    };
    // Keep creation order, so both windows show (and send) the inputs in the same order.
    const at = this.#entries.findIndex(
      (e) =>
        e.record.createdAt > record.createdAt ||
        (e.record.createdAt === record.createdAt && e.record.order > record.order),
    );
    if (at === -1) this.#entries.push(entry);
    else this.#entries.splice(at, 0, entry);
    this.#sealLoaded(entry);
    this.#nextOrder = Math.max(this.#nextOrder, record.order + 1);
    this.#publish();
    this.flush();
  }

  /**
   * Another window of this device had the server's acknowledgement of an input this window
   * adopted (or also added): it is confirmed here as there, and never sent from here.
   */
  acknowledgedElsewhere(inputId: string, seq: number): void {
    const entry = this.#find(inputId);
    if (!entry || entry.status === 'confirmed' || entry.volatile) return;
    entry.status = 'confirmed';
    entry.seq = seq;
    entry.settle?.resolve({ seq, duplicate: true });
    entry.settle = undefined;
    this.#publish();
    // Later inputs of its session that waited behind it may go now.
    this.flush();
  }

  /** Adds an input: stores it, then sends it as soon as its session can take it. */
  add(sessionId: SessionId, payload: InputPayload): SubmittedInput {
    const record: OutboxRecord = {
      inputId: newInputId(),
      sessionId,
      payload,
      createdAt: this.#clock.now(),
      order: this.#nextOrder++,
    };
    const volatile = payload.kind === 'terminal';
    const entry: Entry = {
      record,
      status: 'pending',
      seq: undefined,
      stored: volatile,
      settle: undefined,
      volatile,
    };
    const confirmed = this.#promiseFor(entry);
    this.#entries.push(entry);
    this.#publish();
    if (this.#seal) {
      // Held back (not `stored`) until sealed, so later inputs of the session wait for it and
      // the counters go out in the order the inputs were made.
      entry.stored = false;
      this.#seal(sessionId, record.inputId, payload).then(
        (sealed) => {
          if (sealed) entry.record = { ...entry.record, sealed };
          this.#afterAdd(entry);
        },
        (error: unknown) => this.#sealFailed(entry, error),
      );
      if (volatile) this.#scheduleExpiry();
      return { inputId: record.inputId, confirmed };
    }
    this.#afterAdd(entry);
    return { inputId: record.inputId, confirmed };
  }

  /** A new input is ready to go: keystrokes at once, others once stored. */
  #afterAdd(entry: Entry): void {
    if (!this.#entries.includes(entry)) return; // dropped or discarded while it was sealed
    const record = entry.record;
    if (entry.volatile) {
      entry.stored = true;
      this.flush();
      this.#scheduleExpiry();
      return;
    }
    this.#onShared({ kind: 'added', record });
    void this.#runStorage(async () => {
      await this.#storage.put(record);
    }).finally(() => {
      entry.stored = true;
      this.flush();
    });
  }

  /** A stored input from before sealing (or another window) that has no sealed form yet. */
  #sealLoaded(entry: Entry): void {
    if (!this.#seal || entry.record.sealed) return;
    entry.stored = false;
    const { sessionId, inputId, payload } = entry.record;
    this.#seal(sessionId, inputId, payload).then(
      (sealed) => {
        if (sealed) {
          entry.record = { ...entry.record, sealed };
          const record = entry.record;
          void this.#runStorage(() => this.#storage.put(record));
        }
        entry.stored = true;
        this.flush();
      },
      (error: unknown) => this.#sealFailed(entry, error),
    );
  }

  /** The input could not be sealed (no key for the session yet): it fails, visibly. */
  #sealFailed(entry: Entry, error: unknown): void {
    if (!this.#entries.includes(entry)) return;
    const message = `could not seal the input: ${error instanceof Error ? error.message : String(error)}`;
    entry.stored = true;
    if (entry.volatile) {
      this.#drop((e) => e === entry, 'not_running', new BatonError('unsealable', message));
      return;
    }
    entry.status = 'failed';
    entry.record = { ...entry.record, failed: { code: 'unsealable', message } };
    entry.settle?.reject(new BatonError('unsealable', message));
    entry.settle = undefined;
    this.#publish();
    this.flush();
  }

  /**
   * Sends every pending input whose session can take it, in creation order per session. An
   * input not yet in storage holds back the later inputs of its session.
   */
  flush(): void {
    if (!this.#loaded) return;
    this.#dropExpired();
    const blocked = new Set<SessionId>();
    // After a retryable refusal, the server holds the inputs sent after the refused one that
    // reached it before this device heard (docs/protocol.md, section 7, rule 5), and a new input
    // sent before their refusals come back is held in turn. So nothing more of the session goes
    // out until every input on the wire is answered; then all go again, in the order made.
    for (const sessionId of this.#refusedSessions) {
      if (this.#entries.some((e) => e.status === 'sent' && e.record.sessionId === sessionId))
        blocked.add(sessionId);
      else this.#refusedSessions.delete(sessionId);
    }
    let changed = false;
    const now = this.#clock.now();
    let heldUntil = Infinity;
    for (const entry of this.#entries) {
      const { sessionId } = entry.record;
      if (entry.status !== 'pending' || blocked.has(sessionId)) continue;
      if (entry.holdFromNextSend) {
        if (!this.#sender.canSend(sessionId)) {
          blocked.add(sessionId);
          continue;
        }
        entry.holdFromNextSend = false;
        entry.heldUntil = now + ADOPTED_INPUT_GRACE_MS;
      }
      // Left to the window that added it for a while; later inputs of the session wait behind it.
      if (entry.heldUntil !== undefined && entry.heldUntil > now) {
        heldUntil = Math.min(heldUntil, entry.heldUntil);
        blocked.add(sessionId);
        continue;
      }
      if (!entry.stored || !this.#sender.canSend(sessionId)) {
        blocked.add(sessionId);
        continue;
      }
      const { inputId, payload, sealed } = entry.record;
      if (!this.#sender.send({ type: 'input', sessionId, inputId, payload }, sealed)) {
        blocked.add(sessionId);
        continue;
      }
      entry.status = 'sent';
      changed = true;
    }
    if (changed) this.#publish();
    if (heldUntil !== Infinity) this.#scheduleHeld(heldUntil - now);
  }

  /** Flushes again when the first adopted input left to its window may be sent from here. */
  #scheduleHeld(ms: number): void {
    if (this.#heldTimer !== undefined) this.#clock.clearTimeout(this.#heldTimer);
    this.#heldTimer = this.#clock.setTimeout(() => {
      this.#heldTimer = undefined;
      this.flush();
    }, ms + 1);
  }

  /** The link dropped: inputs on the wire may or may not have arrived; resend them later. */
  onDisconnected(): void {
    let changed = false;
    for (const entry of this.#entries) {
      if (entry.heldUntil !== undefined && entry.status !== 'confirmed')
        entry.holdFromNextSend = true;
      if (entry.status !== 'sent') continue;
      entry.status = 'pending';
      changed = true;
    }
    if (changed) this.#publish();
    this.#scheduleExpiry();
  }

  /**
   * The session's runner is now at `run`: pending terminal inputs typed for another run are
   * dropped before they are sent. Inputs on the wire are left to the server, which refuses them.
   */
  onRun(sessionId: SessionId, run: number): void {
    this.#drop(
      (e) =>
        e.status === 'pending' &&
        e.record.sessionId === sessionId &&
        e.record.payload.kind === 'terminal' &&
        e.record.payload.run !== undefined &&
        // Runs only grow while a runner exists; 0 means none since the server started. A run
        // above `run` was learnt from newer news than this info, so it is not stale.
        (run === 0 ? e.record.payload.run !== 0 : e.record.payload.run < run),
      'restarted',
    );
  }

  onAck(ack: AckMessage): void {
    const entry = this.#find(ack.inputId);
    if (!entry || entry.status === 'confirmed') return;
    entry.status = 'confirmed';
    entry.seq = ack.seq;
    entry.settle?.resolve({ seq: ack.seq, duplicate: ack.duplicate });
    entry.settle = undefined;
    void this.#runStorage(() => this.#storage.delete(ack.inputId));
    this.#publish();
    if (!entry.volatile)
      this.#onShared({
        kind: 'acknowledged',
        sessionId: entry.record.sessionId,
        inputId: ack.inputId,
        seq: ack.seq,
      });
    this.#afterAnswer(entry);
  }

  /**
   * An input of a session waiting for its inputs on the wire (`flush`) was answered: the wait
   * may be over. Not before the refusal's `retryAfterMs`, when that is still to come.
   */
  #afterAnswer(entry: Entry): void {
    if (this.#refusedSessions.has(entry.record.sessionId) && this.#retryTimer === undefined)
      this.flush();
  }

  /**
   * The server rejected an input. Retryable codes put it back in line (after `retryAfterMs`);
   * any other code marks it `failed` and keeps it visible.
   */
  onError(error: ErrorFrameMessage & { inputId: string }): void {
    const entry = this.#find(error.inputId);
    if (!entry || entry.status === 'confirmed') return;
    const dropReason: DropReason | undefined = !entry.volatile
      ? undefined
      : error.code === 'stale_input'
        ? 'restarted'
        : error.code === 'session_not_running'
          ? 'not_running'
          : undefined;
    if (dropReason) {
      this.#drop((e) => e === entry, dropReason, new BatonError(error.code, error.message));
      this.#afterAnswer(entry);
      return;
    }
    if (isRetryableCode(error.code)) {
      entry.status = 'pending';
      this.#refusedSessions.add(entry.record.sessionId);
      this.#publish();
      this.#scheduleFlush(error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
      return;
    }
    entry.status = 'failed';
    entry.record = { ...entry.record, failed: { code: error.code, message: error.message } };
    entry.settle?.reject(new BatonError(error.code, error.message));
    entry.settle = undefined;
    const record = entry.record;
    if (!entry.volatile) void this.#runStorage(() => this.#storage.put(record));
    this.#publish();
    this.#afterAnswer(entry);
  }

  /** Sends a failed input again with the same input id. */
  retry(inputId: string): SubmittedInput {
    const entry = this.#find(inputId);
    if (!entry) throw new Error(`no input ${inputId} in the outbox: it was confirmed or discarded`);
    if (entry.status !== 'failed') {
      return {
        inputId,
        confirmed: entry.settle ? this.#promiseFor(entry) : Promise.resolve(ackOf(entry)),
      };
    }
    const { failed: _failed, ...rest } = entry.record;
    entry.record = rest;
    entry.status = 'pending';
    const confirmed = this.#promiseFor(entry);
    const record = entry.record;
    if (entry.volatile) {
      // A retried keystroke gets a fresh lifetime; it is still never stored.
      entry.record = { ...record, createdAt: this.#clock.now() };
      this.#scheduleExpiry();
    } else {
      void this.#runStorage(() => this.#storage.put(record));
    }
    // One that failed before it was sealed is sealed now: never sent in the clear.
    this.#sealLoaded(entry);
    this.#publish();
    this.flush();
    return { inputId, confirmed };
  }

  /**
   * Resolves once the server has answered the input (stored or refused), or at once when the
   * outbox no longer holds it or already has the answer: for requests about a stored input,
   * such as withdrawing it, which must not overtake the input itself.
   */
  async whenStored(inputId: string): Promise<void> {
    const entry = this.#find(inputId);
    if (!entry || entry.status === 'confirmed' || entry.status === 'failed') return;
    await this.#promiseFor(entry).catch(() => undefined);
  }

  /** Removes an input that is not on its way (pending before sending, or failed). */
  discard(inputId: string): void {
    const index = this.#entries.findIndex((e) => e.record.inputId === inputId);
    const entry = this.#entries[index];
    if (!entry) return;
    if (entry.status === 'sent') {
      throw new Error(`input ${inputId} is already on its way; wait for its ack or error`);
    }
    this.#entries.splice(index, 1);
    entry.settle?.reject(new BatonError('bad_request', `input ${inputId} was discarded`));
    void this.#runStorage(() => this.#storage.delete(inputId));
    this.#publish();
    if (!entry.volatile) this.#onShared({ kind: 'discarded', inputId });
  }

  /**
   * Drops confirmed inputs of a session that the confirmed log now covers (`seq <= lastSeq`);
   * pass `Infinity` when no view of the session exists.
   */
  forgetConfirmed(sessionId: SessionId, lastSeq: number): void {
    let changed = false;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i];
      if (!entry || entry.record.sessionId !== sessionId || entry.status !== 'confirmed') continue;
      if ((entry.seq ?? Infinity) > lastSeq) continue;
      this.#entries.splice(i, 1);
      changed = true;
    }
    if (changed) this.#publish();
  }

  /** Stops the timers. */
  dispose(): void {
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#expiryTimer !== undefined) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    if (this.#heldTimer !== undefined) this.#clock.clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
  }

  /** Drops pending terminal inputs older than the TTL. */
  #dropExpired(): void {
    const oldest = this.#clock.now() - TERMINAL_INPUT_TTL_MS;
    this.#drop(
      (e) => e.volatile && e.status === 'pending' && e.record.createdAt <= oldest,
      'expired',
    );
  }

  /**
   * Wakes up when the oldest pending terminal input expires, so it is dropped (and the user told)
   * even while the link stays down.
   */
  #scheduleExpiry(): void {
    if (this.#expiryTimer !== undefined) return;
    let oldest = Infinity;
    for (const e of this.#entries) {
      if (e.volatile && e.status === 'pending') oldest = Math.min(oldest, e.record.createdAt);
    }
    if (oldest === Infinity) return;
    const wait = Math.max(0, oldest + TERMINAL_INPUT_TTL_MS - this.#clock.now()) + 1;
    this.#expiryTimer = this.#clock.setTimeout(() => {
      this.#expiryTimer = undefined;
      this.#dropExpired();
      this.#scheduleExpiry();
    }, wait);
  }

  /** Removes matching entries, rejects their promises and reports them per session. */
  #drop(match: (entry: Entry) => boolean, reason: DropReason, cause?: BatonError): void {
    const sessions: SessionId[] = [];
    let removed = 0;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (!match(entry)) continue;
      this.#entries.splice(i, 1);
      removed++;
      // An emulator's answer to a query is not a keystroke the user typed: not reported.
      const { payload } = entry.record;
      if (!(payload.kind === 'terminal' && payload.report === true))
        sessions.push(entry.record.sessionId);
      entry.settle?.reject(cause ?? new BatonError(DROP_CODES[reason], dropMessage(reason, 1)));
      entry.settle = undefined;
    }
    if (removed === 0) return;
    this.#publish();
    if (sessions.length === 0) return;
    this.#reportDropped(sessions.reverse(), reason);
  }

  #reportDropped(sessions: readonly SessionId[], reason: DropReason): void {
    const counts = new Map<SessionId, number>();
    for (const id of sessions) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [sessionId, count] of counts) this.#onDropped({ sessionId, count, reason });
  }

  #scheduleFlush(ms: number): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.flush();
    }, ms);
  }

  #promiseFor(entry: Entry): Promise<InputAck> {
    const promise = new Promise<InputAck>((resolve, reject) => {
      const previous = entry.settle;
      entry.settle = {
        resolve: (ack) => {
          previous?.resolve(ack);
          resolve(ack);
        },
        reject: (error) => {
          previous?.reject(error);
          reject(error);
        },
      };
    });
    // Callers may ignore the promise; an unobserved rejection must not crash the process.
    promise.catch(() => {});
    return promise;
  }

  #find(inputId: string): Entry | undefined {
    return this.#entries.find((e) => e.record.inputId === inputId);
  }

  #runStorage(op: () => unknown): Promise<void> {
    const next = this.#storageChain.then(async () => {
      try {
        await op();
      } catch (error) {
        this.#onStorageError(error);
      }
    });
    this.#storageChain = next;
    return next;
  }

  #publish(): void {
    this.#view.set(this.#entries.map(viewOf));
  }
}

const DROP_CODES = {
  expired: 'expired',
  restarted: 'stale_input',
  not_running: 'session_not_running',
} as const satisfies Record<DropReason, string>;

/** What to tell the user about `count` terminal inputs dropped for `reason`. */
export function dropMessage(reason: DropReason, count: number): string {
  const keys = count === 1 ? '1 keystroke was' : `${count} keystrokes were`;
  switch (reason) {
    case 'expired':
      return `${keys} not sent: they could not be delivered within ${TERMINAL_INPUT_TTL_MS / 1000} s`;
    case 'restarted':
      return `${keys} not sent: the session restarted`;
    case 'not_running':
      return `${keys} not sent: the session is not running`;
  }
}

function viewOf(entry: Entry): OutboxEntry {
  const { view, record, status, seq } = entry;
  if (view && view.status === status && view.seq === seq && view.error === record.failed) {
    return view;
  }
  entry.view = {
    inputId: record.inputId,
    sessionId: record.sessionId,
    payload: record.payload,
    createdAt: record.createdAt,
    status,
    seq,
    error: record.failed,
  };
  return entry.view;
}

function ackOf(entry: Entry): InputAck {
  return { seq: entry.seq ?? 0, duplicate: false };
}

function isValidRecord(record: OutboxRecord): boolean {
  return (
    SessionId.safeParse(record.sessionId).success &&
    InputId.safeParse(record.inputId).success &&
    InputPayload.safeParse(record.payload).success &&
    typeof record.order === 'number'
  );
}
