import {
  SealedSnapshotBody,
  type InputPayload,
  type LogEvent,
  type ReceivedLogEvent,
  type SessionId,
  type SessionInfo,
  type SnapshotMessage,
  type StreamMessage,
} from '@baton/protocol';
import { SealError } from '@baton/seal';
import { BatonError } from '../baton-error.js';
import type { HttpFetch } from '../http-json.js';
import { DeviceSealing } from './device-sealing.js';
import type { SealingStore } from './sealing-store.js';
import type { OpenedEvent, SealedPayload, SessionSealing } from './session-sealing.js';

/** The `sealing` option of `BatonClient`: where this device's keys are. */
export interface SealingOptions {
  /** This device's keys (`FileSealingStore` in Node, an IndexedDB store in a browser). */
  store: SealingStore;
  /** The relay's HTTP address; default: the WebSocket URL's origin over http(s). */
  httpUrl?: string;
  fetch?: HttpFetch;
}

/** The type a refused event is shown as: a position in the log, never content. */
export const REFUSED_EVENT_TYPE = 'sealed.refused';

/** How the diagnostics of refused events are coded (`BatonError.code`). */
export const VERIFY_FAILED = 'verify_failed';

/** `SessionInfo.sealed`: the session's host and the newest key epoch it published. */
interface Sealed {
  readonly hostId: string;
  readonly keyEpoch: number;
}

/**
 * The client's side of sealed sessions, between the connection and the session stores: knows
 * which sessions are sealed (`SessionInfo.sealed`), opens their events in order before a store
 * sees them, keeps the replay check in log order, and seals inputs for the outbox.
 *
 * Invariant: every message of a session that needs opening goes through that session's queue,
 * and so does every later message of the session while the queue is busy, so a store receives
 * the session's messages in the order they arrived even though opening is async.
 */
export class ClientSealing {
  readonly #options: SealingOptions;
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #onDiagnostic: (error: BatonError) => void;
  #device: Promise<DeviceSealing> | undefined;
  readonly #sealed = new Map<string, Sealed>();
  readonly #queues = new Map<string, { tail: Promise<void>; depth: number }>();
  /** Author and counter of each opened event, by the event object the log will append. */
  readonly #sealedBy = new WeakMap<object, { author: string; counter: number }>();
  /** Sessions whose sealing is loaded: `admit` is synchronous and needs it at hand. */
  readonly #loaded = new Map<string, SessionSealing>();
  readonly #waiting = new Map<string, Array<() => void>>();
  /**
   * Key epochs events were refused for (`no_key`), per session: when such a key arrives later
   * (the host accepted this device after it subscribed), the session is read again from the
   * start, so those events are shown after all.
   */
  readonly #missing = new Map<string, Set<number>>();
  readonly #onKeysArrived: (sessionId: string) => void;

  constructor(
    options: SealingOptions,
    wsUrl: string,
    token: string,
    onDiagnostic: (error: BatonError) => void,
    onKeysArrived: (sessionId: string) => void = () => {},
  ) {
    this.#onKeysArrived = onKeysArrived;
    this.#options = options;
    this.#baseUrl = options.httpUrl ?? new URL(wsUrl.replace(/^ws/, 'http')).origin;
    this.#token = token;
    this.#onDiagnostic = onDiagnostic;
  }

  /** Takes note of a session's info: whether it is sealed, and a newer key epoch to fetch. */
  noteInfo(info: SessionInfo): void {
    const sealed = (info as { sealed?: Sealed }).sealed;
    if (!sealed) {
      if (!this.#sealed.has(info.id)) this.#settle(info.id);
      return;
    }
    this.#sealed.set(info.id, sealed);
    this.#settle(info.id);
    const loaded = this.#loaded.get(info.id);
    if (loaded && sealed.keyEpoch > loaded.keyEpoch) {
      loaded.refreshKeys().then(
        () => this.#checkMissing(info.id, loaded),
        (error: unknown) => this.#report(info.id, error),
      );
    }
  }

  forget(sessionId: string): void {
    this.#sealed.delete(sessionId);
    this.#loaded.delete(sessionId);
    void this.#device?.then((d) => d.forget(sessionId)).catch(() => undefined);
  }

  isSealed(sessionId: string): boolean {
    return this.#sealed.has(sessionId);
  }

  /** Whether a message of this session must wait in its queue (sealed, or the queue is busy). */
  mustQueue(sessionId: string, event?: ReceivedLogEvent): boolean {
    return (
      this.#sealed.has(sessionId) ||
      (this.#queues.get(sessionId)?.depth ?? 0) > 0 ||
      (event !== undefined && looksSealed(event))
    );
  }

  /** Runs `task` after every earlier queued task of the session. */
  enqueue(sessionId: string, task: () => Promise<void> | void): void {
    let queue = this.#queues.get(sessionId);
    if (!queue) this.#queues.set(sessionId, (queue = { tail: Promise.resolve(), depth: 0 }));
    const q = queue;
    q.depth++;
    q.tail = q.tail
      .then(task)
      .catch((error: unknown) => this.#report(sessionId, error))
      .finally(() => {
        q.depth--;
      });
  }

  /**
   * Opens one event; a refused one comes back as a `sealed.refused` placeholder (an event type
   * no store shows, which still moves the log's position) and is reported once.
   */
  async openEvent(sessionId: string, event: ReceivedLogEvent): Promise<ReceivedLogEvent> {
    if (!this.#sealed.has(sessionId) && !looksSealed(event)) return event;
    let opened: OpenedEvent;
    try {
      const sealing = await this.#session(sessionId, event);
      opened = await sealing.openEvent(event);
    } catch (error) {
      opened = {
        ok: false,
        seq: event.seq,
        code: error instanceof SealError ? error.code : 'no_key',
        message: error instanceof Error ? error.message : String(error),
      };
    }
    if (!opened.ok) {
      const epoch = (event.data as { sealed?: { keyEpoch?: unknown } } | null)?.sealed?.keyEpoch;
      const inputEpoch = (event.data as { payload?: { sealed?: { keyEpoch?: unknown } } } | null)
        ?.payload?.sealed?.keyEpoch;
      const missed = typeof epoch === 'number' ? epoch : inputEpoch;
      if (opened.code === 'no_key' && typeof missed === 'number') {
        const epochs = this.#missing.get(sessionId) ?? new Set<number>();
        epochs.add(missed);
        this.#missing.set(sessionId, epochs);
      }
      return refusedEvent(sessionId, event, opened.code, opened.message, this.#onDiagnostic);
    }
    const loaded = this.#loaded.get(sessionId);
    if (loaded && this.#missing.has(sessionId)) this.#checkMissing(sessionId, loaded);
    if (opened.sealedBy) this.#sealedBy.set(opened.event, opened.sealedBy);
    return opened.event;
  }

  /** Opens a page of fetched events, in order. */
  async openEvents(
    sessionId: string,
    events: readonly ReceivedLogEvent[],
  ): Promise<ReceivedLogEvent[]> {
    const opened: ReceivedLogEvent[] = [];
    for (const event of events) opened.push(await this.openEvent(sessionId, event));
    return opened;
  }

  /**
   * Opens a stream fragment's delta and gives it its offset; undefined when it fails (reported)
   * or comes out of order (a repeat, or after a gap: not shown, see SessionSealing.openStream).
   */
  async openStream(message: StreamMessage): Promise<StreamMessage | undefined> {
    const sealed = (message as { sealed?: unknown }).sealed;
    if (sealed === undefined) {
      if (!this.#sealed.has(message.sessionId) || message.delta === '') return message;
      this.#report(message.sessionId, new SealError('malformed', 'a stream fragment in the clear'));
      return undefined;
    }
    try {
      const sealing = await this.#session(message.sessionId);
      const opened = await sealing.openStream(message);
      if (!opened) return undefined;
      // The offset comes from the fragment's signed number, never from the relay's frame.
      const { sealed: _sealed, ...rest } = message as StreamMessage & { sealed?: unknown };
      return { ...rest, delta: opened.delta, offset: opened.offset };
    } catch (error) {
      this.#report(message.sessionId, error);
      return undefined;
    }
  }

  /**
   * Opens a snapshot of a sealed session: its `state.runner` is the host's sealed projection
   * state (`{sealed}`), opened here before any store reads it. A snapshot that fails to open, or
   * that carries runner content in the clear in a sealed session (which only the relay could
   * have made), keeps its position with no content (`{kind: 'none'}`) and is reported.
   */
  async openSnapshot(
    message: SnapshotMessage,
  ): Promise<{ message: SnapshotMessage; counters?: Readonly<Record<string, number>> }> {
    const state = message.state as { session?: unknown; runner?: unknown } | null | undefined;
    const runner = state?.runner as { sealed?: unknown; kind?: unknown } | undefined;
    const sealed = runner?.sealed;
    const empty = (code: string, why: string) => {
      this.#onDiagnostic(
        new BatonError(
          VERIFY_FAILED,
          `a snapshot failed to verify: ${code} (at #${message.seq} of ${message.sessionId}: ${why}); it is not shown`,
        ),
      );
      return { message: { ...message, state: { ...state, runner: { kind: 'none' } } } };
    };
    if (sealed === undefined) {
      if (this.#sealed.has(message.sessionId) && runner !== undefined && runner.kind !== 'none')
        return empty('plaintext', 'a sealed session snapshot in the clear');
      return { message };
    }
    try {
      // The snapshot may arrive before the subscribe reply told which host the session has: its
      // envelope names it (only that host's pinned keys can then open it).
      const author = (sealed as { author?: unknown } | null)?.author;
      const sealing = await this.#session(
        message.sessionId,
        undefined,
        typeof author === 'string' ? author : undefined,
      );
      const opened = await sealing.openSnapshot(sealed, message.seq);
      const body = SealedSnapshotBody.safeParse(opened);
      if (!body.success) return empty('invalid_body', 'it opened to no runner state');
      return {
        message: { ...message, state: { ...state, runner: body.data.runner } },
        counters: body.data.counters,
      };
    } catch (error) {
      const code = error instanceof SealError ? error.code : 'no_key';
      return empty(code, error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * The replay check, synchronous, in log order (the session log calls it as it appends). An
   * event that fails it is not applied and is reported.
   */
  admit(sessionId: SessionId, event: ReceivedLogEvent | LogEvent): boolean {
    const by = this.#sealedBy.get(event);
    if (!by) return true;
    const sealing = this.#loaded.get(sessionId);
    if (!sealing) return false;
    try {
      sealing.admit(by);
      return true;
    } catch (error) {
      this.#onDiagnostic(
        new BatonError(
          VERIFY_FAILED,
          `an event failed to verify: ${error instanceof SealError ? error.code : 'replayed'} (#${event.seq} of ${sessionId}: ${(error as Error).message}); it is not shown`,
        ),
      );
      return false;
    }
  }

  /**
   * The log starts from a sealed snapshot: each author's lanes start at the highest counters the
   * snapshot covers, so an envelope from before it replayed after it is refused.
   */
  seedCounters(sessionId: string, counters: Readonly<Record<string, number>>): void {
    this.#loaded.get(sessionId)?.seed(counters);
  }

  /** The session's log starts over: so do the counters it has seen. */
  resetLog(sessionId: string): void {
    this.#loaded.get(sessionId)?.resetGuard();
  }

  /**
   * Seals an input for a sealed session (once: the outbox keeps the result and resends it);
   * undefined for a session that is not sealed. Waits until the session's info says which.
   */
  async sealInput(
    sessionId: SessionId,
    inputId: string,
    payload: InputPayload,
  ): Promise<SealedPayload | undefined> {
    await this.#known(sessionId);
    if (!this.#sealed.has(sessionId)) return undefined;
    const sealing = await this.#session(sessionId);
    return sealing.sealInput(inputId, payload);
  }

  /**
   * Seals an attachment's bytes for a sealed session (the upload body); undefined for a session
   * that is not sealed. Waits until the session's info says which.
   */
  async sealAttachment(sessionId: string, bytes: Uint8Array): Promise<Uint8Array | undefined> {
    await this.#known(sessionId);
    if (!this.#sealed.has(sessionId)) return undefined;
    return (await this.#session(sessionId)).sealAttachment(bytes);
  }

  /** Opens a sealed attachment of a sealed session to the file's bytes (throws a SealError). */
  async openAttachment(sessionId: string, body: Uint8Array): Promise<Uint8Array> {
    return (await this.#session(sessionId)).openAttachment(body);
  }

  #known(sessionId: string): Promise<void> {
    if (this.#sealed.has(sessionId) || this.#settled.has(sessionId)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.#waiting.get(sessionId) ?? [];
      waiting.push(resolve);
      this.#waiting.set(sessionId, waiting);
    });
  }

  readonly #settled = new Set<string>();

  #settle(sessionId: string): void {
    this.#settled.add(sessionId);
    const waiting = this.#waiting.get(sessionId);
    this.#waiting.delete(sessionId);
    for (const resolve of waiting ?? []) resolve();
  }

  async #session(
    sessionId: string,
    event?: ReceivedLogEvent,
    author?: string,
  ): Promise<SessionSealing> {
    const loaded = this.#loaded.get(sessionId);
    if (loaded) return loaded;
    const hostId = this.#sealed.get(sessionId)?.hostId ?? hostOf(event) ?? author;
    if (!hostId) {
      throw new SealError('no_key', `session ${sessionId} is sealed but its host is not known yet`);
    }
    this.#device ??= DeviceSealing.load(this.#options.store, {
      baseUrl: this.#baseUrl,
      token: this.#token,
      ...(this.#options.fetch ? { fetchImpl: this.#options.fetch } : {}),
    });
    this.#device.catch(() => {
      this.#device = undefined;
    });
    const sealing = await (await this.#device).session(sessionId, hostId);
    if (sealing.keyEpoch === 0) await sealing.refreshKeys();
    this.#loaded.set(sessionId, sealing);
    return sealing;
  }

  /** A key that events were refused for has arrived: read the session again. */
  #checkMissing(sessionId: string, sealing: SessionSealing): void {
    const epochs = this.#missing.get(sessionId);
    if (!epochs || ![...epochs].some((e) => sealing.keyRing.get(sessionId, e))) return;
    this.#missing.delete(sessionId);
    this.#onKeysArrived(sessionId);
  }

  #report(sessionId: string, error: unknown): void {
    const code = error instanceof SealError ? error.code : 'error';
    this.#onDiagnostic(
      error instanceof BatonError
        ? error
        : new BatonError(
            VERIFY_FAILED,
            `sealed session ${sessionId}: ${code}: ${error instanceof Error ? error.message : String(error)}`,
          ),
    );
  }
}

/**
 * The placeholder a refused event leaves in the log: its position, never its content (a type
 * no store shows). The diagnostic says which event and why.
 */
export function refusedEvent(
  sessionId: string,
  event: ReceivedLogEvent,
  code: string,
  message: string,
  onDiagnostic: (error: BatonError) => void,
): ReceivedLogEvent {
  onDiagnostic(
    new BatonError(
      VERIFY_FAILED,
      `an event failed to verify: ${code} (#${event.seq} of ${sessionId}: ${message}); it is not shown`,
    ),
  );
  return {
    seq: event.seq,
    ts: event.ts,
    type: REFUSED_EVENT_TYPE,
    data: { code, type: event.type },
  };
}

/** An event whose body is an envelope (a session this client did not know as sealed yet). */
export function looksSealed(event: ReceivedLogEvent): boolean {
  const data = event.data as Record<string, unknown> | null;
  if (!data || typeof data !== 'object') return false;
  if ('sealed' in data) return true;
  const payload = data['payload'] as Record<string, unknown> | null | undefined;
  return (
    event.type === 'input' && typeof payload === 'object' && payload !== null && 'sealed' in payload
  );
}

/** The host an event's envelope names as its author (events, not inputs, are the host's). */
function hostOf(event: ReceivedLogEvent | undefined): string | undefined {
  if (!event || event.type === 'input') return undefined;
  const sealed = (event.data as { sealed?: { author?: unknown } } | null)?.sealed;
  return typeof sealed?.author === 'string' ? sealed.author : undefined;
}
