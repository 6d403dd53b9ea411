import {
  ClientMessage,
  CloseCode,
  describeZodError,
  PROTOCOL_VERSION,
  ReplyResult,
  TERMINAL_CLOSE_CODES,
  parseServerFrame,
  type ClientMessageOf,
  type ConnectionMode,
  type ReplyResultOf,
  type ServerMessage,
  type WelcomeMessage,
} from '@baton/protocol';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { BatonError } from './baton-error.js';
import type { Clock } from './clock.js';
import type { ConnectionState } from './connection-state.js';
import { ObservableValue } from './observable-value.js';
import { PendingRequests } from './pending-requests.js';
import {
  WS_CLOSED,
  WS_OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './web-socket-like.js';

/** Request types that the server answers with a `reply` carrying a typed `result`. */
export type RequestType = keyof typeof ReplyResult;
/** A request frame without its `rid`; the connection assigns one. */
export type RequestMessage<T extends RequestType> = Omit<ClientMessageOf<T>, 'rid'>;

/** Close code the client uses when it gives up on a socket (dead link, handshake timeout). */
const CLIENT_GAVE_UP = 4000;

export interface ConnectionOptions {
  url: string;
  token: string;
  mode: ConnectionMode;
  label: string | undefined;
  WebSocket: WebSocketConstructor;
  clock: Clock;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  /** From opening the socket to `welcome`. */
  handshakeTimeoutMs: number;
  /** Interval of app-level pings; defaults to the server's `heartbeatMs`. */
  pingIntervalMs: number | undefined;
  /** A ping with no frame at all received within this time marks the link dead. */
  pongTimeoutMs: number;
  /** Every frame the connection does not consume itself (everything but welcome, pong, replies). */
  onMessage(message: ServerMessage): void;
  onConnected(welcome: WelcomeMessage): void;
  /** The link dropped (any reason, including `close()`). */
  onDisconnected(): void;
  /** A frame that could not be parsed or a reply that did not match its schema. */
  onProtocolError(error: BatonError): void;
}

/**
 * One logical connection to the server across many sockets: opens a socket, says `hello`,
 * waits for `welcome`, keeps the link alive with pings, and reconnects with full-jitter backoff
 * after any close except the terminal close codes (bad credential, unsupported version, revoked
 * device), where it stops in `failed`.
 */
export class Connection {
  readonly state = new ObservableValue<ConnectionState>({ status: 'disconnected', attempt: 0 });
  readonly #o: ConnectionOptions;
  readonly #requests: PendingRequests;
  #socket: WebSocketLike | undefined;
  #welcomed = false;
  #attempt = 0;
  #lastServerError: string | undefined;
  #lastFrameAt = 0;
  #handshakeTimer: unknown;
  #retryTimer: unknown;
  #pingTimer: unknown;
  #pongTimer: unknown;

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.#requests = new PendingRequests(options.clock);
  }

  /** Whether `welcome` arrived on the current socket. */
  get ready(): boolean {
    return this.#welcomed && this.#socket !== undefined;
  }

  /** Starts connecting; does nothing if already connecting, connected or reconnecting. */
  connect(): void {
    const status = this.state.getSnapshot().status;
    if (status !== 'disconnected' && status !== 'failed') return;
    this.#attempt = 0;
    this.#open();
  }

  /**
   * The network is probably back (the browser went online, the window got focus or became
   * visible): while reconnecting, the next attempt starts now instead of after its backoff
   * delay; while connected, a ping checks the link at once, so a socket that died while the
   * device slept is dropped within `pongTimeoutMs` and reopened. While connecting it does nothing,
   * unless `networkChanged` says the network itself came back (the browser's `online` event): an
   * attempt begun before that may have gone out on a route that no longer answers and would hold
   * the reconnect until the handshake timeout, so it is abandoned and a new one opened at once.
   * Nothing is lost by that: before the `welcome` the socket carries only the `hello`. One that
   * already opened is started again too, at the cost of a handshake: the `online` event can reach
   * the page just after a retry began on the restored network, and which came first is not
   * known here. Does nothing after `close()` or after the server refused the client.
   */
  reconnectNow(options: { networkChanged?: boolean } = {}): void {
    const status = this.state.getSnapshot().status;
    if (status === 'reconnecting') {
      if (this.#retryTimer !== undefined) this.#o.clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#open();
    } else if (status === 'connecting' && options.networkChanged === true) {
      const socket = this.#socket;
      this.#o.clock.clearTimeout(this.#handshakeTimer);
      // Unset first, so that the abandoned socket's close is not taken for the link's.
      this.#socket = undefined;
      if (socket) safeClose(socket, CLIENT_GAVE_UP, 'the network came back: trying again');
      this.#open();
    } else if (status === 'connected' && this.#pongTimer === undefined) {
      // One check at a time: focus and visibility events come in bursts.
      this.#probe();
    }
  }

  /**
   * Sends a request and resolves with its validated `result`. While the link is down the request
   * waits (up to its timeout); once sent, it fails fast with a retryable `disconnected` error if
   * the link drops.
   */
  request<T extends RequestType>(
    message: { type: T } & RequestMessage<T>,
    timeoutMs = this.#o.requestTimeoutMs,
  ): Promise<ReplyResultOf<T>> {
    const status = this.state.getSnapshot().status;
    if (status === 'disconnected' || status === 'failed') {
      const error =
        status === 'failed'
          ? this.#failure()
          : new BatonError('closed', `cannot send '${message.type}': the client is not connected`);
      return Promise.reject(error);
    }
    const rid = this.#requests.nextRid();
    const checked = ClientMessage.safeParse({ ...message, rid });
    if (!checked.success) {
      const detail = describeZodError(checked.error);
      return Promise.reject(new BatonError('bad_request', `invalid '${message.type}': ${detail}`));
    }
    const frame = checked.data;
    const type = message.type as T;
    return this.#requests
      .add(rid, timeoutMs, this.ready, () => this.#write(frame))
      .then((result) => {
        const parsed = ReplyResult[type].safeParse(result);
        if (!parsed.success) {
          const error = new BatonError(
            'bad_reply',
            `reply to '${type}' does not match the protocol`,
          );
          this.#o.onProtocolError(error);
          throw error;
        }
        return parsed.data as ReplyResultOf<T>;
      });
  }

  /** Sends a frame that expects no reply. Returns false when the link is not up. */
  send(message: ClientMessage): boolean {
    if (!this.ready) return false;
    return this.#write(message);
  }

  /** Says goodbye, closes the socket and stops reconnecting. Pending requests fail with `closed`. */
  close(): Promise<void> {
    this.#clearTimers();
    this.#requests.failAll(new BatonError('closed', 'the client was closed'));
    const socket = this.#socket;
    const wasConnected = this.ready;
    this.#socket = undefined;
    this.#welcomed = false;
    this.state.set({ status: 'disconnected', attempt: 0 });
    if (!socket) return Promise.resolve();
    if (wasConnected) this.#writeTo(socket, { type: 'goodbye' });
    safeClose(socket, 1000, 'goodbye');
    if (wasConnected) this.#o.onDisconnected();
    // Closed already (it failed before opening, or closed within the call): no close event is
    // still to come.
    if (socket.readyState === WS_CLOSED) return Promise.resolve();
    // This socket's own close: one abandoned earlier (reconnectNow) may still be closing, and its
    // close must not be taken for this one's.
    return new Promise<void>((resolve) => {
      const timer = this.#o.clock.setTimeout(resolve, 2000);
      socket.addEventListener('close', () => {
        this.#o.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  #open(): void {
    this.state.set({ status: 'connecting', attempt: this.#attempt });
    let socket: WebSocketLike;
    try {
      socket = new this.#o.WebSocket(this.#o.url);
    } catch (error) {
      this.#lost(`cannot open ${this.#o.url}: ${(error as Error).message}`, undefined);
      return;
    }
    this.#socket = socket;
    this.#welcomed = false;
    this.#lastServerError = undefined;
    this.#handshakeTimer = this.#o.clock.setTimeout(() => {
      if (this.#socket === socket) this.#drop('no welcome from the server in time');
    }, this.#o.handshakeTimeoutMs);

    socket.addEventListener('open', () => {
      if (this.#socket !== socket) return;
      this.#writeTo(socket, {
        type: 'hello',
        v: PROTOCOL_VERSION,
        token: this.#o.token,
        mode: this.#o.mode,
        ...(this.#o.label !== undefined ? { label: this.#o.label } : {}),
        // A catch-up, and each live commit of several events, then comes in `events` frames, many
        // events each (BatonClient routes each event of a page as if it had come alone). Older
        // servers ignore both fields.
        eventPages: true,
        livePages: true,
      });
    });
    socket.addEventListener('message', (event) => {
      if (this.#socket !== socket) return;
      this.#lastFrameAt = this.#o.clock.now();
      if (typeof event.data !== 'string') {
        this.#o.onProtocolError(new BatonError('bad_reply', 'the server sent a binary frame'));
        return;
      }
      this.#receive(event.data);
    });
    socket.addEventListener('error', () => {
      // A 'close' event always follows; reconnecting is decided there.
    });
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#lost(describeClose(event.code, event.reason, this.#lastServerError), event.code);
    });
  }

  #receive(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.#o.onProtocolError(new BatonError('bad_reply', parsed.error.message));
      return;
    }
    const message = parsed.value;
    switch (message.type) {
      case 'welcome':
        this.#onWelcome(message);
        return;
      case 'pong':
        return;
      case 'reply':
        this.#requests.resolve(message.rid, message.result);
        return;
      case 'error':
        if (!this.#welcomed) this.#lastServerError = `${message.code}: ${message.message}`;
        if (
          message.rid !== undefined &&
          this.#requests.reject(
            message.rid,
            new BatonError(message.code, message.message, message.retryAfterMs),
          )
        ) {
          return;
        }
        this.#o.onMessage(message);
        return;
      default:
        this.#o.onMessage(message);
    }
  }

  #onWelcome(welcome: WelcomeMessage): void {
    this.#o.clock.clearTimeout(this.#handshakeTimer);
    this.#welcomed = true;
    this.#attempt = 0;
    this.state.set({
      status: 'connected',
      attempt: 0,
      connectionId: welcome.connectionId,
      deviceId: welcome.deviceId,
      deviceName: welcome.deviceName,
      role: welcome.role ?? 'owner',
      ...(welcome.sessionScope !== undefined ? { sessionScope: welcome.sessionScope } : {}),
      heartbeatMs: welcome.heartbeatMs,
      maxFrameBytes: welcome.maxFrameBytes,
    });
    this.#schedulePing(this.#o.pingIntervalMs ?? welcome.heartbeatMs);
    this.#o.onConnected(welcome);
    this.#requests.sendWaiting();
  }

  /**
   * App-level ping: if not a single frame arrives within `pongTimeoutMs` of a ping, the link is
   * dead even though the socket may not know it yet (a sleeping laptop, a dropped NAT mapping).
   */
  #schedulePing(intervalMs: number): void {
    this.#pingTimer = this.#o.clock.setTimeout(() => {
      if (!this.ready) return;
      this.#probe();
      this.#schedulePing(intervalMs);
    }, intervalMs);
  }

  /**
   * Sends a ping; the link is dropped if no frame at all arrives within `pongTimeoutMs`. Each
   * ping's check stands on its own (an earlier one still pending keeps running); `#pongTimer`
   * is the latest, and undefined once it ran.
   */
  #probe(): void {
    if (!this.ready) return;
    const sentAt = this.#o.clock.now();
    this.send({ type: 'ping' });
    const timer = this.#o.clock.setTimeout(() => {
      if (this.#pongTimer === timer) this.#pongTimer = undefined;
      if (this.ready && this.#lastFrameAt < sentAt) this.#drop('no answer to ping');
    }, this.#o.pongTimeoutMs);
    this.#pongTimer = timer;
  }

  /** Gives up on the current socket without waiting for its close handshake. */
  #drop(reason: string): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#lost(reason, undefined);
    safeClose(socket, CLIENT_GAVE_UP, reason.slice(0, 100));
  }

  #lost(reason: string, closeCode: number | undefined): void {
    const wasConnected = this.#welcomed;
    this.#socket = undefined;
    this.#welcomed = false;
    this.#clearTimers();
    this.#requests.failSent(new BatonError('disconnected', `connection lost: ${reason}`));
    if (wasConnected) this.#o.onDisconnected();
    this.#attempt += 1;
    if (closeCode !== undefined && TERMINAL_CLOSE_CODES.has(closeCode)) {
      this.state.set({ status: 'failed', attempt: this.#attempt, reason, closeCode });
      this.#requests.failAll(this.#failure());
      return;
    }
    const retryInMs = backoffDelay(this.#attempt, () => this.#o.clock.random(), this.#o.backoff);
    this.state.set({
      status: 'reconnecting',
      attempt: this.#attempt,
      retryInMs,
      lastError: reason,
    });
    this.#retryTimer = this.#o.clock.setTimeout(() => this.#open(), retryInMs);
  }

  /** The error for requests made after a terminal close. */
  #failure(): BatonError {
    const state = this.state.getSnapshot();
    if (state.status !== 'failed') return new BatonError('closed', 'the client is not connected');
    const code =
      state.closeCode === CloseCode.UnsupportedVersion ? 'unsupported_version' : 'unauthorized';
    return new BatonError(code, `the server refused this client: ${state.reason}`);
  }

  #write(message: ClientMessage): boolean {
    return this.#socket ? this.#writeTo(this.#socket, message) : false;
  }

  #writeTo(socket: WebSocketLike, message: ClientMessage): boolean {
    if (socket.readyState !== WS_OPEN) return false;
    try {
      socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  #clearTimers(): void {
    for (const timer of [
      this.#handshakeTimer,
      this.#retryTimer,
      this.#pingTimer,
      this.#pongTimer,
    ]) {
      if (timer !== undefined) this.#o.clock.clearTimeout(timer);
    }
    this.#handshakeTimer = this.#retryTimer = this.#pingTimer = this.#pongTimer = undefined;
  }
}

function safeClose(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Closing a socket that never opened may throw in some implementations; it is gone either way.
  }
}

function describeClose(code: number, reason: string, serverError: string | undefined): string {
  const parts = [`closed with code ${code}`];
  if (reason) parts.push(reason);
  if (serverError) parts.push(serverError);
  return parts.join(': ');
}
