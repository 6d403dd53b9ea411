import {
  InputPayload,
  SessionId,
  describeZodError,
  type AckMessage,
  type AgentConfig,
  type ConnectionMode,
  type ErrorFrameMessage,
  type LogEvent,
  type PermissionDecision,
  type PresenceMessage,
  type ReplyResultOf,
  type ReceivedLogEvent,
  type Role,
  type ServerMessage,
  type SessionInfo,
  type SessionKind,
  type StreamMessage,
  type TerminalConfig,
  type UploadAttachmentResult,
  sealedTerminalChecks,
} from '@baton/protocol';
import type { BackoffOptions } from './backoff.js';
import { BatonError } from './baton-error.js';
import { systemClock, type Clock } from './clock.js';
import type { ConnectionState } from './connection-state.js';
import { Connection } from './connection.js';
import { identityFromChange, identityFromWelcome, type DeviceIdentity } from './device-identity.js';
import { Outbox, type DroppedInputs, type SubmittedInput } from './outbox.js';
import { MemoryOutboxStorage, type OutboxStorage } from './outbox-storage.js';
import type { SessionBase } from './session-log.js';
import { SessionStore, type RetentionOptions } from './session-store.js';
import { SessionsStore } from './sessions-store.js';
import { TypedEmitter } from './typed-emitter.js';
import { SharedDocuments } from './shared-documents.js';
import type { DocumentWriteStorage } from './pending-document-writes.js';
import { TabSync, type BroadcastChannelLike } from './tab-sync.js';
import { globalWebSocket, type WebSocketConstructor } from './web-socket-like.js';
import { ObservableValue, type ExternalStore } from './observable-value.js';
import type { UploadAttachmentOptions } from './attachment-api.js';
import {
  readSessionAttachment,
  uploadSessionAttachment,
  type AttachmentEndpoint,
} from './session-attachments.js';
import {
  ClientSealing,
  looksSealed,
  refusedEvent,
  type SealingOptions,
} from './sealing/client-sealing.js';

export interface BatonClientOptions {
  /** The WebSocket URL, for example `ws://127.0.0.1:7777/v1/ws`. */
  url: string;
  /** A device token from `registerDevice`, or the owner token. */
  token: string;
  /** What kind of window or process this is; shown to others in presence. */
  mode: ConnectionMode;
  /** A label for this window or process, shown in presence. */
  label?: string;
  /** The WebSocket constructor: the browser's global by default; in Node pass `ws`'s `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Where unacknowledged inputs are kept. Default: memory (lost when the process ends). */
  storage?: OutboxStorage;
  /** Where document writes made offline wait. Default: memory (lost when the process ends). */
  documentStorage?: DocumentWriteStorage;
  /**
   * A channel shared by the other windows of this device (a `BroadcastChannel` named after the
   * device and server): outbox inputs, offline document writes and documents read are shared
   * through it at once, before the server confirms them. The storages must then be shared too
   * (IndexedDB), since any window may deliver what another queued.
   */
  tabs?: BroadcastChannelLike | undefined;
  /** Keep the sessions list current (`sessions.watch`) on every connect. Default true. */
  watchSessions?: boolean;
  /** Per-request timeout. Default 15 s. */
  requestTimeoutMs?: number;
  /** From opening a socket to `welcome`. Default 15 s. */
  handshakeTimeoutMs?: number;
  /** App-level ping interval. Default: the server's heartbeat interval from `welcome`. */
  pingIntervalMs?: number;
  /** A ping unanswered for this long marks the link dead. Default 10 s. */
  pongTimeoutMs?: number;
  backoff?: BackoffOptions;
  /**
   * How much of each subscribed session's log is held in memory. Default: terminals 1,000
   * events / 4 MiB (the screen is the state), agents 2,000 events / 8 MiB (`loadOlder` for more).
   */
  retention?: RetentionOptions;
  /** Timers and randomness, for tests. */
  clock?: Clock;
  /**
   * This device's keys for sealed sessions (a relay's sessions; docs/protocol.md, "Sealed
   * sessions"). With it, the client opens every event of a sealed session before any store or
   * listener sees it, checks every signature, wrap, roster and counter itself, and seals every
   * input: the app sees plaintext exactly as for an unsealed session. An event that fails a
   * check is never shown; an `error` with code `verify_failed` says which and why. Without it,
   * a sealed session's events are refused the same way (there are no keys to open them).
   */
  sealing?: SealingOptions;
}

/** Options of `createSession`. */
export interface CreateSessionOptions {
  kind: SessionKind;
  name?: string;
  config?: TerminalConfig | AgentConfig;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** A read-only attachment watches but cannot send input, resize or interrupt. */
  readOnly?: boolean;
}

/** Events of `BatonClient.on`. */
export interface BatonClientEvents {
  /** The connection state changed. */
  state: ConnectionState;
  /** An event was applied to a subscribed session's confirmed log. Fires once per event, in order. */
  event: { sessionId: SessionId; event: LogEvent };
  /** A subscribed session's view was replaced by a snapshot; `event`s continue after `base.seq`. */
  snapshot: { sessionId: SessionId; base: SessionBase };
  /** A volatile fragment of agent output arrived for a subscribed session. */
  stream: StreamMessage;
  presence: PresenceMessage;
  /** One of this client's inputs is durable on the server. */
  ack: AckMessage;
  /** One of this client's inputs was rejected for good; it stays in the outbox as `failed`. */
  inputFailed: { sessionId: SessionId | undefined; inputId: string; error: BatonError };
  /**
   * Terminal inputs (keystrokes) of a session were dropped without being typed: they expired
   * unsent, or the session restarted or stopped. Tell the user how many (`dropMessage`).
   */
  inputsDropped: DroppedInputs;
  /** A frame-level or subscription error, a protocol mismatch, or an outbox storage failure. */
  error: BatonError;
  /** This device's name or role changed (on connect, or the owner changed it while connected). */
  device: DeviceIdentity;
}

interface Subscription {
  store: SessionStore;
  readers: number;
  writers: number;
  /** A first `subscribe` frame is due at the end of this task (see `#attachSoon`). */
  attachDue: boolean;
}

/**
 * The baton client: one logical connection to a server that survives reconnects, the sessions
 * list, one store per subscribed session, and the outbox of this device's inputs. The same code
 * runs in browsers and Node; only the WebSocket constructor and outbox storage differ.
 *
 * @example
 * ```ts
 * import { WebSocket } from 'ws';
 * const client = new BatonClient({ url, token, mode: 'cli', WebSocket });
 * client.connect();
 * const session = await client.createSession({ kind: 'terminal' });
 * client.subscribe(session.id);
 * client.send(session.id, { kind: 'terminal', data: 'ls\n' });
 * ```
 */
export class BatonClient {
  /** The sessions list (empty until the first `sessions.watch` reply). */
  readonly sessions = new SessionsStore();
  /** This device's unconfirmed inputs across all sessions. */
  readonly outbox: Outbox;
  /** Shared documents and volatile state of sessions (docs/protocol.md section 17). */
  readonly documents: SharedDocuments;
  readonly #connection: Connection;
  readonly #emitter: TypedEmitter<BatonClientEvents>;
  readonly #device = new ObservableValue<DeviceIdentity | undefined>(undefined);
  readonly #subscriptions = new Map<SessionId, Subscription>();
  readonly #watchSessions: boolean;
  readonly #retention: RetentionOptions;
  /** This window's page is hidden, as the app last said (`setVisible`). */
  #hidden = false;
  readonly #sealing: ClientSealing | undefined;
  readonly #http: AttachmentEndpoint;

  constructor(options: BatonClientOptions) {
    const WebSocketImpl = options.WebSocket ?? globalWebSocket();
    if (!WebSocketImpl) {
      throw new Error(
        'no global WebSocket on this platform: pass one, e.g. { WebSocket } from "ws"',
      );
    }
    if (!/^wss?:\/\//.test(options.url)) {
      throw new Error(
        `url must be a ws:// or wss:// URL such as ws://127.0.0.1:7777/v1/ws, got '${options.url}'`,
      );
    }
    if (!options.token) throw new Error('token is required: a device token or the owner token');
    const clock = options.clock ?? systemClock;
    this.#watchSessions = options.watchSessions ?? true;
    this.#retention = options.retention ?? {};
    this.#emitter = new TypedEmitter((error) => {
      queueMicrotask(() => {
        throw error;
      });
    });
    const sealing = options.sealing
      ? new ClientSealing(
          options.sealing,
          options.url,
          options.token,
          (error) => this.#emitter.emit('error', error),
          // Events refused for want of a key that has now arrived are read again.
          (sessionId) => this.#subscriptions.get(sessionId as SessionId)?.store.resync(),
        )
      : undefined;
    this.#sealing = sealing;
    this.#http = {
      baseUrl: options.sealing?.httpUrl ?? new URL(options.url.replace(/^ws/, 'http')).origin,
      token: options.token,
    };
    this.outbox = new Outbox(
      options.storage ?? new MemoryOutboxStorage(),
      {
        canSend: (sessionId) => this.#canSend(sessionId),
        send: (frame, sealed) =>
          this.#connection.send(
            sealed
              ? // The sealed payload, with the clear copy of a terminal input's run and report
                // that the relay checks (docs/protocol.md, "Sealed sessions" → "Inputs").
                ({
                  ...frame,
                  payload: sealed,
                  ...sealedTerminalChecks(frame.payload),
                } as unknown as typeof frame)
              : frame,
          ),
      },
      clock,
      (error) =>
        this.#emitter.emit('error', new BatonError('internal', `outbox storage: ${String(error)}`)),
      (dropped) => this.#emitter.emit('inputsDropped', dropped),
      sealing
        ? (sessionId, inputId, payload) => sealing.sealInput(sessionId, inputId, payload)
        : undefined,
    );
    this.#connection = new Connection({
      url: options.url,
      token: options.token,
      mode: options.mode,
      label: options.label,
      WebSocket: WebSocketImpl,
      clock,
      backoff: options.backoff ?? {},
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 15_000,
      pingIntervalMs: options.pingIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs ?? 10_000,
      onMessage: (message) => this.#route(message),
      onConnected: (welcome) => {
        this.#device.set(identityFromWelcome(welcome, this.#device.getSnapshot()));
        this.#emitter.emit('device', this.#device.getSnapshot()!);
        this.#onConnected();
      },
      onDisconnected: () => this.#onDisconnected(),
      onProtocolError: (error) => this.#emitter.emit('error', error),
    });
    this.documents = new SharedDocuments(this.#connection, options.documentStorage, (error) =>
      this.#emitter.emit('error', new BatonError('internal', `document storage: ${String(error)}`)),
    );
    if (options.tabs) {
      const tabs = new TabSync(
        options.tabs,
        {
          outbox: (change) => {
            if (change.kind === 'added') this.outbox.adopt(change.record);
            else if (change.kind === 'discarded') this.outbox.forget(change.inputId);
            else {
              this.outbox.acknowledgedElsewhere(change.inputId, change.seq);
              this.outbox.forgetConfirmed(
                change.sessionId,
                this.session(change.sessionId)?.lastSeq ?? Infinity,
              );
            }
          },
          documents: (change) => this.documents.handlePeer(change),
        },
        (message) => this.#emitter.emit('error', new BatonError('invalid_message', message)),
      );
      this.outbox.onShared((change) => tabs.post({ v: 1, topic: 'outbox', change }));
      this.documents.onShared((change) => tabs.post({ v: 1, topic: 'documents', change }));
    }
    this.#connection.state.subscribe(() => {
      const state = this.#connection.state.getSnapshot();
      if (state.status === 'connected')
        this.#access = { role: state.role, sessionScope: state.sessionScope };
      this.#emitter.emit('state', state);
    });
  }

  /** The role and scope from the last `welcome`; kept while reconnecting. */
  #access: { role: Role; sessionScope: string | undefined } | undefined;

  /**
   * This device's role, from the last `welcome` or `device.changed` (undefined before the first
   * one). Use it to show only what the device may do (`ACTION_ROLE`); the server checks every
   * action regardless. A role the owner changes arrives at once (`device.changed`, the `device`
   * event and store).
   */
  get role(): Role | undefined {
    // `device.changed` (the owner changed this device's role) is newer than the last welcome.
    return this.#device.getSnapshot()?.role ?? this.#access?.role;
  }

  /** The one session this device may see, when it was paired for one (from `welcome`). */
  get sessionScope(): string | undefined {
    return this.#access?.sessionScope;
  }

  /**
   * This device as the server sees it (id, name, role, per-session roles), as a store for
   * `useSyncExternalStore`; undefined until the first `welcome`. Follows `device.changed` live.
   */
  get device(): ExternalStore<DeviceIdentity | undefined> {
    return this.#device;
  }

  /** The connection state, as a store for `useSyncExternalStore`. */
  get connection(): ExternalStore<ConnectionState> {
    return this.#connection.state;
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#connection.state.getSnapshot();
  }

  /** Starts connecting (and reconnecting as needed). Also loads undelivered inputs from storage. */
  connect(): void {
    void this.outbox.load();
    void this.documents.loadPending();
    this.#connection.connect();
  }

  /**
   * Reconnects at once instead of after the backoff delay, or checks a link that looks up with a
   * ping (see `Connection.reconnectNow`). Call it when the network is likely back: the browser's
   * `online` event, the window getting focus, a person pressing "Reconnect now". Pass
   * `{ networkChanged: true }` for the `online` event: an attempt still connecting is then
   * started again, since it may have gone out before the network was back.
   */
  reconnectNow(options: { networkChanged?: boolean } = {}): void {
    this.#connection.reconnectNow(options);
  }

  /**
   * Resolves once connected; rejects if the client fails (refused credential or version), is
   * closed, or is not connected within `timeoutMs`.
   */
  whenConnected(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const state = this.state;
        if (state.status === 'connected') resolve();
        else if (state.status === 'failed') reject(new BatonError('unauthorized', state.reason));
        else if (state.status === 'disconnected')
          reject(new BatonError('closed', 'the client is not connecting; call connect()'));
        else return false;
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        off();
        reject(new BatonError('timeout', `not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.#connection.state.subscribe(() => {
        if (!check()) return;
        clearTimeout(timer);
        off();
      });
    });
  }

  /**
   * Adds a listener; returns a function that removes it.
   * @example client.on('event', ({ sessionId, event }) => console.log(sessionId, event.seq));
   */
  on<K extends keyof BatonClientEvents>(
    type: K,
    listener: (payload: BatonClientEvents[K]) => void,
  ): () => void {
    return this.#emitter.on(type, listener);
  }

  /** Shorthand for `on('event', …)`: every event applied to a subscribed session's log, in order. */
  onEvent(listener: (payload: BatonClientEvents['event']) => void): () => void {
    return this.on('event', listener);
  }

  /**
   * Attaches to a session and returns its store. Calls are counted: the session stays subscribed
   * until `unsubscribe` was called as often as `subscribe`. The attachment is read-only only while
   * every holder asked for read-only.
   */
  subscribe(sessionId: string, options: SubscribeOptions = {}): SessionStore {
    const id = checkSessionId(sessionId);
    const readOnly = options.readOnly ?? false;
    let sub = this.#subscriptions.get(id);
    if (!sub) {
      const store = new SessionStore(
        id,
        readOnly,
        {
          connection: this.#sealedConnection(id),
          outbox: this.outbox,
          onApplied: (sid, events) => {
            for (const event of events) {
              this.documents.handleEvent(sid, event);
              this.#emitter.emit('event', { sessionId: sid, event });
            }
          },
          onSnapshot: (sid, base) => {
            this.documents.handleSnapshot(sid);
            this.#emitter.emit('snapshot', { sessionId: sid, base });
          },
          onLive: () => this.outbox.flush(),
          onInfo: (info) => {
            this.#sealing?.noteInfo(info);
            this.outbox.onRun(info.id, info.run);
          },
          onError: (error) => this.#emitter.emit('error', error),
          ...(this.#sealing ? { admission: this.#admission(id, this.#sealing) } : {}),
        },
        this.#retention,
      );
      sub = { store, readers: 0, writers: 0, attachDue: false };
      this.#subscriptions.set(id, sub);
      const info = this.sessions.get(id);
      if (info) store.handleInfo(info);
    }
    if (readOnly) sub.readers++;
    else sub.writers++;
    this.#updateReadOnly(sub);
    this.#attachSoon(id, sub);
    return sub.store;
  }

  /**
   * Sends the first `subscribe` at the end of the current task rather than at once, so that the
   * holders that subscribe together (a view and its parts, in one render's effects) send one
   * frame with their combined access. Sent at once, a read-only part subscribing before its
   * writable page made the server replay the whole log twice: once for the read-only frame and
   * again for the writable one that replaced it, both from position 0.
   */
  #attachSoon(id: SessionId, sub: Subscription): void {
    if (sub.attachDue) return;
    sub.attachDue = true;
    queueMicrotask(() => {
      sub.attachDue = false;
      if (this.#subscriptions.get(id) !== sub || !this.#connection.ready) return;
      if (sub.store.status !== 'live' && sub.store.status !== 'subscribing') sub.store.attach();
    });
  }

  /**
   * The connection as a session store sees it: with sealing, the events of every `fetch` reply
   * are opened before the store applies them.
   */
  #sealedConnection(id: SessionId): Pick<Connection, 'request'> {
    const sealing = this.#sealing;
    const connection = this.#connection;
    if (!sealing) return connection;
    const request = async (message: Parameters<Connection['request']>[0]) => {
      const result = await connection.request(message);
      if (message.type !== 'fetch') return result;
      const page = result as ReplyResultOf<'fetch'>;
      return { ...page, events: await sealing.openEvents(id, page.events) };
    };
    return { request: request as Connection['request'] };
  }

  /** The replay check of a sealed session, in log order (see `ClientSealing.admit`). */
  #admission(id: SessionId, sealing: ClientSealing) {
    return {
      admit: (event: Parameters<ClientSealing['admit']>[1]) => sealing.admit(id, event),
      reset: () => sealing.resetLog(id),
    };
  }

  /** Releases one `subscribe`; the last release detaches from the session. */
  unsubscribe(sessionId: string, options: SubscribeOptions = {}): void {
    const id = checkSessionId(sessionId);
    const sub = this.#subscriptions.get(id);
    if (!sub) return;
    if (options.readOnly && sub.readers > 0) sub.readers--;
    else if (sub.writers > 0) sub.writers--;
    else sub.readers--;
    if (sub.readers + sub.writers > 0) {
      this.#updateReadOnly(sub);
      return;
    }
    this.#subscriptions.delete(id);
    sub.store.close();
    if (this.#connection.ready) {
      this.#connection.request({ type: 'unsubscribe', sessionId: id }).catch(() => {
        // The server drops the attachment with the connection anyway.
      });
    }
  }

  /** The store of a subscribed session, if subscribed. */
  session(sessionId: SessionId): SessionStore | undefined {
    return this.#subscriptions.get(sessionId)?.store;
  }

  async createSession(options: CreateSessionOptions): Promise<SessionInfo> {
    const result = await this.#connection.request({ type: 'session.create', ...options });
    return result.session;
  }

  async renameSession(sessionId: string, name: string): Promise<SessionInfo> {
    const id = checkSessionId(sessionId);
    return (await this.#connection.request({ type: 'session.rename', sessionId: id, name }))
      .session;
  }

  /** Stops the session's runner; the log stays. */
  async stopSession(sessionId: string): Promise<SessionInfo> {
    const id = checkSessionId(sessionId);
    return (await this.#connection.request({ type: 'session.stop', sessionId: id })).session;
  }

  /** Starts an exited or failed session's runner again. */
  async restartSession(sessionId: string): Promise<SessionInfo> {
    const id = checkSessionId(sessionId);
    return (await this.#connection.request({ type: 'session.restart', sessionId: id })).session;
  }

  /** Deletes the session and its log. */
  async deleteSession(sessionId: string): Promise<void> {
    const id = checkSessionId(sessionId);
    await this.#connection.request({ type: 'session.delete', sessionId: id });
  }

  /**
   * Reads stored events after `afterSeq` (at most `limit`), without subscribing. With `epoch`
   * (the epoch `afterSeq` belongs to), a position from another history of the log is refused with
   * `epoch_changed` rather than answered with events that mean something else. Events of types
   * this client does not know are included (`isKnownLogEvent` tells them apart).
   */
  fetchEvents(
    sessionId: string,
    afterSeq: number,
    limit?: number,
    epoch?: string,
  ): Promise<ReplyResultOf<'fetch'>> {
    const id = checkSessionId(sessionId);
    return this.#sealedConnection(id).request({
      type: 'fetch',
      sessionId: id,
      afterSeq,
      ...(limit !== undefined ? { limit } : {}),
      ...(epoch !== undefined ? { epoch } : {}),
    });
  }

  /**
   * Submits an input. It is stored in the outbox first and shown in the session's `pending` at
   * once, sent when possible, and resent with the same input id after every reconnect until the
   * server acknowledges it. Throws a `bad_request` BatonError for an invalid id or payload.
   *
   * Terminal inputs are bound to the session's current `run` (filled in when the client knows
   * the session), kept in memory only and dropped, with an `inputsDropped` event, when they
   * cannot be sent within `TERMINAL_INPUT_TTL_MS` or the session restarted.
   */
  send(sessionId: string, payload: InputPayload): SubmittedInput {
    const id = checkSessionId(sessionId);
    if (payload.kind === 'terminal' && payload.run === undefined) {
      const run = (this.session(id)?.info ?? this.sessions.get(id))?.run;
      if (run !== undefined) payload = { ...payload, run };
    }
    const parsed = InputPayload.safeParse(payload);
    if (!parsed.success) {
      throw new BatonError(
        'bad_request',
        `invalid input payload: ${describeZodError(parsed.error)}`,
      );
    }
    return this.outbox.add(id, parsed.data);
  }

  /**
   * Uploads an image or file for a message of `sessionId` (see `uploadAttachment`), sealed with
   * the session key when the session is sealed: the relay stores an envelope it cannot open
   * (docs/protocol.md, "Sealed attachments"). Name the answer's `id`, `type` and `size` in the
   * message's `attachments`; in a sealed session they travel inside the sealed message.
   *
   * @example
   * const { attachment } = await client.uploadAttachment(sessionId, photoBytes);
   * client.send(sessionId, { kind: 'message', text: 'This one?', attachments: [{ ...attachment, name: 'photo.jpg' }] });
   */
  uploadAttachment(
    sessionId: string,
    bytes: Uint8Array | Blob,
    options: UploadAttachmentOptions = {},
  ): Promise<UploadAttachmentResult> {
    return uploadSessionAttachment(this.#http, this.#sealing, sessionId, bytes, options);
  }

  /**
   * An attachment's bytes and type; a sealed session's attachment is opened on this device
   * (rejects with `verify_failed` when it does not open). The type is read from the bytes.
   */
  readAttachment(
    sessionId: string,
    attachmentId: string,
  ): ReturnType<typeof readSessionAttachment> {
    return readSessionAttachment(this.#http, this.#sealing, sessionId, attachmentId);
  }

  /** Resends a failed input with its original input id. */
  retry(inputId: string): SubmittedInput {
    return this.outbox.retry(inputId);
  }

  /** Drops a pending or failed input from the outbox. */
  discard(inputId: string): void {
    this.outbox.discard(inputId);
  }

  /**
   * Withdraws one of this device's stored chat messages before a turn of the agent takes it (a
   * queued message): the server appends `input.withdrawn`, every device drops it from view and
   * the agent never receives it. Idempotent: a repeat resolves with the same `seq` and
   * `duplicate: true`. Rejects with `already_started` once a turn took it, `not_found` for an id
   * this device never had stored. A message still only in the outbox (never acknowledged) is
   * waited for first: it may have reached the server before the link dropped.
   *
   * @example
   * await client.withdraw(sessionId, item.inputId);
   */
  async withdraw(sessionId: string, inputId: string): Promise<{ seq: number; duplicate: boolean }> {
    const id = checkSessionId(sessionId);
    await this.outbox.whenStored(inputId);
    return this.#connection.request({ type: 'input.withdraw', sessionId: id, inputId });
  }

  /**
   * Reports this window's size for a terminal session (refused for read-only attachments).
   * `fitToMe: true` makes it win whoever types; `false` goes back to following the writer;
   * absent leaves the choice as it was (see docs/terminals.md, "Whose size").
   */
  async resize(
    sessionId: string,
    cols: number,
    rows: number,
    options: { fitToMe?: boolean } = {},
  ): Promise<void> {
    const id = checkSessionId(sessionId);
    await this.#connection.request({
      type: 'resize',
      sessionId: id,
      cols,
      rows,
      ...(options.fitToMe !== undefined ? { fitToMe: options.fitToMe } : {}),
    });
  }

  /** Interrupts the current agent turn, or sends Ctrl-C to a terminal. */
  async interrupt(sessionId: string): Promise<void> {
    const id = checkSessionId(sessionId);
    await this.#connection.request({ type: 'interrupt', sessionId: id });
  }

  /** Answers an agent's permission request; the first answer wins (`already_resolved` otherwise). */
  async answerPermission(
    sessionId: string,
    requestId: string,
    answer: PermissionDecision,
  ): Promise<{ seq: number }> {
    const id = checkSessionId(sessionId);
    return this.#connection.request({
      type: 'permission.answer',
      sessionId: id,
      requestId,
      answer,
    });
  }

  /**
   * Changes an agent session's model and/or permission mode (Claude's `--permission-mode`,
   * Codex's approval policy) from the next turn on. Every device sees the change as an
   * `agent.settings.changed` event (`agentStateOf` gives the current values). Rejects with
   * `bad_request` and the agent's reason when it refuses the value; the settings then stay.
   *
   * @example
   * await client.changeAgentSettings(sessionId, { model: 'opus', permissionMode: 'acceptEdits' });
   */
  async changeAgentSettings(
    sessionId: string,
    change: { model?: string; permissionMode?: string },
  ): Promise<{ seq: number }> {
    const id = checkSessionId(sessionId);
    return this.#connection.request({
      type: 'agent.settings',
      sessionId: id,
      ...(change.model !== undefined ? { model: change.model } : {}),
      ...(change.permissionMode !== undefined ? { permissionMode: change.permissionMode } : {}),
    });
  }

  /**
   * Tells the server whether this window's page is visible (the app calls it on
   * `visibilitychange`). A device with a visible window on a session is looking at it and gets
   * no push notification for it; a hidden one does. Kept across reconnects; visible until told.
   */
  setVisible(visible: boolean): void {
    if (this.#hidden === !visible) return;
    this.#hidden = !visible;
    this.#connection.send({ type: 'visibility', visible });
  }

  /** Says goodbye and closes. Subscriptions and the outbox are kept; `connect()` resumes them. */
  close(): Promise<void> {
    this.outbox.dispose();
    return this.#connection.close();
  }

  #canSend(sessionId: SessionId): boolean {
    if (!this.#connection.ready) return false;
    const sub = this.#subscriptions.get(sessionId);
    return !sub || sub.store.status === 'live';
  }

  #updateReadOnly(sub: Subscription): void {
    const readOnly = sub.writers === 0;
    if (readOnly === sub.store.readOnly) return;
    sub.store.setReadOnly(readOnly);
    // A first subscribe still due carries the new access; only a sent one needs another.
    if (this.#connection.ready && !sub.attachDue) sub.store.attach();
  }

  #onConnected(): void {
    if (this.#watchSessions) {
      this.#connection.request({ type: 'sessions.watch' }).then(
        (result) => {
          for (const info of result.sessions) this.#sealing?.noteInfo(info);
          this.sessions.replace(result.sessions);
        },
        (error: BatonError) => {
          if (error.code !== 'disconnected' && error.code !== 'closed')
            this.#emitter.emit('error', error);
        },
      );
    }
    // A new connection starts visible on the server: repeat a hidden page before attaching.
    if (this.#hidden) this.#connection.send({ type: 'visibility', visible: false });
    for (const { store } of this.#subscriptions.values()) store.attach();
    this.outbox.flush();
    void this.documents.deliverPending();
  }

  #onDisconnected(): void {
    for (const { store } of this.#subscriptions.values()) store.detach();
    this.outbox.onDisconnected();
  }

  /** One event of a session, from an `event` frame or a replay page. */
  #routeEvent(sessionId: SessionId, event: ReceivedLogEvent): void {
    const sealing = this.#sealing;
    if (sealing?.mustQueue(sessionId, event)) {
      sealing.enqueue(sessionId, async () => {
        const opened = await sealing.openEvent(sessionId, event);
        this.session(sessionId)?.handleEvent(opened);
      });
      return;
    }
    if (!sealing && looksSealed(event)) {
      // No keys on this client: the position moves on, the envelope is never shown.
      this.session(sessionId)?.handleEvent(
        refusedEvent(
          sessionId,
          event,
          'no_key',
          'this client was made without the sealing option, so it holds no keys',
          (error) => this.#emitter.emit('error', error),
        ),
      );
      return;
    }
    this.session(sessionId)?.handleEvent(event);
  }

  #route(message: ServerMessage): void {
    const sealing = this.#sealing;
    switch (message.type) {
      case 'event':
        this.#routeEvent(message.sessionId, message.event);
        return;
      case 'events':
        // A replay page means exactly its events one after the other: each is offered alone,
        // through the same path as an `event` frame (sealed ones opened in order), so order, gap
        // checks, dedupe by seq, the position after each event and the listeners are those of
        // `event` frames.
        for (const event of message.events) this.#routeEvent(message.sessionId, event);
        return;
      case 'snapshot':
        if (sealing && (sealing.mustQueue(message.sessionId) || sealedSnapshot(message))) {
          // A sealed session's snapshot is opened before the store reads it (docs/protocol.md).
          sealing.enqueue(message.sessionId, async () => {
            const opened = await sealing.openSnapshot(message);
            const store = this.session(message.sessionId);
            if (!store) return;
            // The snapshot resets the replay check; the counters it covers then seed it.
            store.handleSnapshot(opened.message);
            if (opened.counters) sealing.seedCounters(message.sessionId, opened.counters);
          });
          return;
        }
        if (!sealing && sealedSnapshot(message)) {
          // No keys on this client: the position moves on, the envelope is never shown.
          this.#emitter.emit(
            'error',
            new BatonError(
              'verify_failed',
              `a snapshot failed to verify: no_key (at #${message.seq} of ${message.sessionId}: this client was made without the sealing option, so it holds no keys); it is not shown`,
            ),
          );
          const state = message.state as Record<string, unknown>;
          this.session(message.sessionId)?.handleSnapshot({
            ...message,
            state: { ...state, runner: { kind: 'none' } },
          });
          return;
        }
        this.session(message.sessionId)?.handleSnapshot(message);
        return;
      case 'stream':
        if (sealing?.mustQueue(message.sessionId) || 'sealed' in message) {
          sealing?.enqueue(message.sessionId, async () => {
            const opened = await sealing.openStream(message);
            if (!opened) return;
            this.session(message.sessionId)?.handleStream(opened);
            this.#emitter.emit('stream', opened);
          });
          return;
        }
        this.session(message.sessionId)?.handleStream(message);
        this.#emitter.emit('stream', message);
        return;
      case 'presence':
        this.session(message.sessionId)?.handlePresence(message);
        this.#emitter.emit('presence', message);
        return;
      case 'presence.changed': {
        const store = this.session(message.sessionId);
        if (!store) return;
        store.handlePresenceChanged(message);
        // Listeners always get the whole list, whichever frame carried the change.
        this.#emitter.emit('presence', {
          type: 'presence',
          sessionId: message.sessionId,
          attached: [...store.getSnapshot().presence],
          attachedCount: store.getSnapshot().presenceCount,
        });
        return;
      }
      case 'ack':
        this.outbox.onAck(message);
        this.outbox.forgetConfirmed(
          message.sessionId,
          this.session(message.sessionId)?.lastSeq ?? Infinity,
        );
        this.#emitter.emit('ack', message);
        return;
      case 'error':
        this.#onErrorFrame(message);
        return;
      case 'volatile':
        this.documents.handleVolatile(message);
        return;
      case 'device.changed':
        this.#device.set(identityFromChange(message, this.#device.getSnapshot()));
        this.#emitter.emit('device', this.#device.getSnapshot()!);
        return;
      case 'sessions.changed':
        if (message.change === 'upsert') sealing?.noteInfo(message.session);
        else sealing?.forget(message.sessionId);
        this.sessions.apply(message);
        if (message.change === 'upsert') {
          this.outbox.onRun(message.session.id, message.session.run);
          this.session(message.session.id)?.handleInfo(message.session);
        }
        return;
      default:
        return;
    }
  }

  #onErrorFrame(message: ErrorFrameMessage): void {
    const error = new BatonError(message.code, message.message, message.retryAfterMs);
    if (message.inputId !== undefined) {
      this.outbox.onError({ ...message, inputId: message.inputId });
      if (!error.retryable) {
        this.#emitter.emit('inputFailed', {
          sessionId: message.sessionId,
          inputId: message.inputId,
          error,
        });
      }
      return;
    }
    this.#emitter.emit('error', error);
  }
}

function checkSessionId(sessionId: string): SessionId {
  const parsed = SessionId.safeParse(sessionId);
  if (!parsed.success) {
    throw new BatonError(
      'bad_request',
      `invalid session id '${sessionId}': ${describeZodError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** A snapshot whose runner state is sealed (a sealed session's, made by its host). */
function sealedSnapshot(message: { state: unknown }): boolean {
  const runner = (message.state as { runner?: unknown } | null | undefined)?.runner;
  return typeof runner === 'object' && runner !== null && 'sealed' in runner;
}
