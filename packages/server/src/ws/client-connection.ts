import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  MIN_SUPPORTED_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  correlationOf,
  errorCodeForVersion,
  parseClientFrame,
  type ConnectionMode,
  type ErrorCode,
  type HelloMessage,
  type RequestId,
  type Role,
  roleAtLeast,
} from '@baton/protocol';
import type { AuditLog } from '../audit/audit-log.js';
import type { AccessControl } from '../auth/access-control.js';
import { newConnectionId } from '../auth/tokens.js';
import type { DeviceRegistry } from '../auth/device-registry.js';
import type { SessionHub } from '../hub/session-hub.js';
import type { EncodedFrames, Peer } from '../hub/peer.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../observability/server-metrics.js';
import { dispatch, type Attachment, type DispatchContext } from './dispatch.js';
import { encodeTextFrames } from './text-frames.js';
import { TokenBucket, type RateLimit } from './token-bucket.js';
import { FramePacer } from './frame-pacer.js';
import { rawText } from './raw-text.js';
import { corkForThisTick } from './tick-corks.js';

/** Below this many queued bytes a subscriber that fell behind is served again. */
const LOW_WATER_BYTES = 256 * 1024;
/** How often a queue that is not drained is looked at again when no 'drain' event says so. */
const DRAIN_POLL_MS = 10;
/** A connection whose queue passes this is closed; its client reconnects and resumes. */
const HARD_LIMIT_BYTES = 64 * 1024 * 1024;

export interface ConnectionOptions {
  hub: SessionHub;
  devices: DeviceRegistry;
  access: AccessControl;
  audit: AuditLog;
  log: Logger;
  heartbeatMs: number;
  maxFrameBytes: number;
  /** Bytes a client may send before its `hello` is accepted; more closes with 1009. */
  preHelloMaxBytes: number;
  /** A connection without an accepted `hello` after this long is closed with 4408. */
  helloTimeoutMs: number;
  /** Frames after `hello` are limited by this token bucket; `false` turns it off. */
  rateLimit: RateLimit | false;
  /** The raw socket under `ws`, to count bytes before `hello`. */
  socket: Duplex;
  /** Called once when `hello` is accepted. */
  onAuthenticated(conn: ClientConnection): void;
  /** Called once when the connection ends, to forget it. */
  onClose(conn: ClientConnection): void;
  /** Counts slow-consumer drops and rate-limited frames. */
  metrics?: ServerMetrics;
}

/**
 * One WebSocket from one window or process. Authenticates with the first frame (`hello`),
 * validates every frame against the protocol, answers every bad frame with an error (the
 * connection stays up), and keeps the connection alive with pings.
 */
export class ClientConnection {
  readonly connectionId = newConnectionId();
  private peer: (Peer & { deviceId: string }) | undefined;
  private dispatchContext: DispatchContext | undefined;
  private readonly attached = new Map<string, Attachment>();
  /** The window's page is hidden, as its last `visibility` said (visible until told). */
  private hidden = false;
  private lastHeard = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private droppedAsSlow = false;
  private preHelloBytes = 0;
  /** Holds frames after `hello` to the connection's rate (absent with `rateLimit: false`). */
  private readonly pacer: FramePacer<[RawData, boolean]> | undefined;
  private readonly countPreHello = (chunk: Buffer) => this.onPreHelloBytes(chunk.length);
  /**
   * Whether the handshake agreed on an extension (the server enables none). Read once: the
   * handshake is over before a connection is made, and `ws` builds the string on every read.
   */
  private readonly hasExtensions: boolean;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: ConnectionOptions,
  ) {
    this.hasExtensions = ws.extensions !== '';
    this.pacer = opts.rateLimit
      ? new FramePacer(new TokenBucket(opts.rateLimit), {
          handle: ([data, isBinary]) => this.onFrameContained(data, isBinary),
          pause: () => this.ws.pause(),
          resume: () => this.ws.resume(),
          onHeld: () => this.opts.metrics?.rateLimitedFrames.inc(),
        })
      : undefined;
    // `ws` attached its own 'data' listener first, so a chunk that completes `hello` has been
    // parsed (and the listener removed in onHello) before this one counts it: only bytes sent
    // while unauthenticated count. ws's own limit (maxPayload) is far larger, for after hello.
    opts.socket.on('data', this.countPreHello);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.on('close', () => this.onClosed());
    ws.on('error', (err) =>
      opts.log.debug('websocket error', { connection: this.connectionId, error: err.message }),
    );
    this.helloTimer = setTimeout(() => {
      if (!this.peer)
        this.close(
          CloseCode.HelloTimeout,
          `no hello within ${Math.round(opts.helloTimeoutMs / 1000)} s`,
        );
    }, opts.helloTimeoutMs);
  }

  get authenticated(): boolean {
    return this.peer !== undefined;
  }

  private onPreHelloBytes(n: number): void {
    if (this.peer || this.closed) return;
    this.preHelloBytes += n;
    if (this.preHelloBytes > this.opts.preHelloMaxBytes) {
      this.opts.socket.off('data', this.countPreHello);
      this.opts.log.info('closing a connection that sent too much before hello', {
        connection: this.connectionId,
        bytes: this.preHelloBytes,
      });
      this.close(
        CloseCode.TooLarge,
        `at most ${this.opts.preHelloMaxBytes} bytes before hello; send hello first`,
      );
      // Nothing more from this peer is worth reading.
      setImmediate(() => this.ws.terminate());
    }
  }

  get deviceId(): string | undefined {
    return this.peer?.deviceId;
  }

  /** The mode this connection declared in its `hello`. */
  get mode(): ConnectionMode | undefined {
    return this.peer?.mode;
  }

  /** Bytes queued to this peer and not yet written to the socket. */
  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * The device's name or role changed (the owner renamed it, changed its role or a per-session
   * role). The client hears it first (`device.changed`; version 1 connections predate it and
   * only see the effects), then each attachment is made read-only where the new role may not
   * write — or writable again where it may and the client did not ask to watch — and presence
   * is sent again with the new role. Inputs are checked against the role at every frame anyway
   * (AccessControl), so the next input after a demotion is refused whatever this does.
   */
  deviceChanged(): void {
    const peer = this.peer;
    if (!peer || this.closed) return;
    const { devices, access, hub } = this.opts;
    const device = devices.current(peer.deviceId);
    if (!device) return;
    if (peer.protocolVersion >= 2)
      this.send(
        JSON.stringify({
          type: 'device.changed',
          deviceId: device.id,
          name: device.name,
          role: device.role,
          sessionRoles: devices.sessionRolesOf(device.id),
        }),
      );
    for (const [sessionId, attachment] of this.attached) {
      const role = access.roleOn(peer.deviceId, sessionId);
      if (role === undefined) continue;
      attachment.readOnly = attachment.requestedReadOnly || !roleAtLeast(role, 'editor');
      hub.refreshAttachment(sessionId, this.connectionId, attachment.readOnly);
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    if (this.pacer?.waiting) {
      // Nothing waiting is handled any more, and the peer's closing frame must be read for the
      // close to complete: left paused, the socket would only go at the grace period below.
      this.pacer.dispose();
      this.ws.resume();
    }
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    // A peer that never completes the closing handshake is cut after a grace period.
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  private send(frame: string | Buffer): void {
    if (!this.writable()) return;
    this.corkUntilNextTick();
    // A Buffer is sent as a text frame: the bytes are already UTF-8 JSON.
    this.ws.send(frame, { binary: false });
  }

  /**
   * Several frames in one buffer written below `ws`, which is only equivalent to sending them one
   * by one when `ws` transforms nothing (no permessage-deflate: the server never enables it, but
   * this does not lean on that) and holds nothing queued that they could overtake. Otherwise,
   * and when `ws` does not expose its socket, they go through `send` one by one.
   */
  private sendFrames(frames: readonly (string | Buffer)[], shared?: EncodedFrames): void {
    const internals = this.ws as unknown as {
      _socket?: Socket;
      _sender?: { _bufferedBytes?: number };
    };
    const socket = internals._socket;
    if (
      !socket ||
      this.hasExtensions ||
      internals._sender?._bufferedBytes !== 0 ||
      // One frame for one peer is no cheaper encoded here than through `ws`; shared by many
      // peers (a commit's events), it is: one encoding instead of a header per peer.
      (frames.length < 2 && shared === undefined)
    ) {
      for (const frame of frames) this.send(frame);
      return;
    }
    if (!this.writable()) return;
    this.corkUntilNextTick();
    // A shared encoding is the same frames' bytes (server frames are never masked), so one
    // buffer serves every subscriber of a commit.
    socket.write(shared ? (shared.encoded ??= encodeTextFrames(frames)) : encodeTextFrames(frames));
  }

  /** Whether frames may be queued; closes a connection whose queue overflowed (once). */
  private writable(): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > HARD_LIMIT_BYTES) {
      // Every send until the close completes lands here: count and log the drop once.
      if (this.droppedAsSlow) return false;
      this.droppedAsSlow = true;
      this.opts.log.warn('closing a connection that stopped reading', {
        connection: this.connectionId,
      });
      this.opts.metrics?.slowConsumerDrops.inc();
      this.close(CloseCode.SlowConsumer, 'send queue overflow: reconnect and resume');
      return false;
    }
    return true;
  }

  /**
   * Frames sent to this socket during one tick (a commit batch fanned out, a replay page) leave
   * in one write instead of one system call each. `ws` keeps its TCP socket in `_socket`; if a
   * future version does not, frames are simply written one by one.
   */
  private corkUntilNextTick(): void {
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (!socket || typeof socket.cork !== 'function') return;
    corkForThisTick(socket);
  }

  private sendError(
    fields: { rid?: RequestId; sessionId?: string; inputId?: string },
    code: ErrorCode,
    message: string,
    retryAfterMs?: number,
    requiredRole?: Role,
  ): void {
    // Before hello the version is unknown, and every code sent then is one version 1 knew.
    const sent = this.peer ? errorCodeForVersion(code, this.peer.protocolVersion) : code;
    const frame: Record<string, unknown> = { type: 'error', ...fields, code: sent, message };
    if (retryAfterMs !== undefined) frame.retryAfterMs = retryAfterMs;
    if (requiredRole !== undefined) frame.requiredRole = requiredRole;
    this.send(JSON.stringify(frame));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastHeard = Date.now();
    // Only after hello: the frames before it are bounded by preHelloMaxBytes instead.
    if (this.peer && this.pacer) this.pacer.offer([data, isBinary]);
    else this.onFrameContained(data, isBinary);
  }

  /**
   * One frame's failure stays that frame's. An exception that escaped into `ws` would stop its
   * reader mid-stream: the connection would handle nothing more and never see its own close, so
   * it would hold its place (and, before hello, a slot of the pre-hello limit) until a restart.
   */
  private onFrameContained(data: RawData, isBinary: boolean): void {
    try {
      this.onFrame(data, isBinary);
    } catch (err) {
      this.opts.log.error('a frame failed', {
        connection: this.connectionId,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      const text = isBinary ? '' : rawText(data);
      this.sendError(
        correlationOf(text),
        'internal',
        'the server failed to handle this frame (a bug, in its log): send it again, or reconnect',
      );
    }
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > this.opts.maxFrameBytes) {
      this.sendError(
        {},
        'frame_too_large',
        `frame of ${size} bytes exceeds the limit of ${this.opts.maxFrameBytes} bytes`,
      );
      return;
    }
    if (isBinary) {
      this.sendError({}, 'invalid_message', 'frames must be UTF-8 JSON text, not binary');
      return;
    }
    const text = rawText(data);
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.sendError(correlationOf(text), parsed.error.code, parsed.error.message);
      return;
    }
    const msg = parsed.value;
    if (msg.type === 'hello') {
      this.onHello(msg);
      return;
    }
    if (!this.peer) {
      this.sendError(
        'rid' in msg && msg.rid !== undefined ? { rid: msg.rid } : {},
        'hello_required',
        'send hello with your token first',
      );
      return;
    }
    if (msg.type === 'goodbye') {
      this.close(CloseCode.Normal, 'goodbye');
      this.onClosed();
      return;
    }
    const ctx = (this.dispatchContext ??= this.makeDispatchContext(this.peer));
    // dispatch answers every failure with an error frame itself; a rejection here is a bug in
    // it, logged with context and contained to this frame.
    dispatch(ctx, msg).catch((err: unknown) =>
      this.opts.log.error('dispatch failed', {
        connection: this.connectionId,
        type: msg.type,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
    );
  }

  /**
   * What `dispatch` works with, made once per connection at its first frame after `hello`: the
   * peer never changes after that, so its closures need not be built again for every frame.
   */
  private makeDispatchContext(peer: Peer & { deviceId: string }): DispatchContext {
    return {
      hub: this.opts.hub,
      peer,
      attached: this.attached,
      audit: this.opts.audit,
      check: (action, sessionId) => this.opts.access.check(peer.deviceId, action, sessionId),
      setVisible: (visible) => {
        this.hidden = !visible;
      },
      reply: (rid, result) => this.send(JSON.stringify({ type: 'reply', rid, result })),
      error: (fields, code, message, retryAfterMs, requiredRole) =>
        this.sendError(fields, code, message, retryAfterMs, requiredRole),
    };
  }

  private onHello({ v, token, mode, label, eventPages, livePages }: HelloMessage): void {
    if (this.peer) {
      this.sendError({}, 'hello_required', 'hello was already received on this connection');
      return;
    }
    if (v < MIN_SUPPORTED_PROTOCOL_VERSION || v > PROTOCOL_VERSION) {
      this.sendError(
        {},
        'unsupported_version',
        `protocol version ${v} is not supported; this server speaks ${MIN_SUPPORTED_PROTOCOL_VERSION}..${PROTOCOL_VERSION}`,
      );
      this.close(CloseCode.UnsupportedVersion, 'unsupported protocol version');
      return;
    }
    const device = this.opts.devices.authenticate(token);
    if (!device) {
      this.sendError(
        {},
        'unauthorized',
        'unknown or revoked token: use the URL baton serve printed, or register this device again',
      );
      this.close(CloseCode.Unauthorized, 'unauthorized');
      return;
    }
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.opts.socket.off('data', this.countPreHello);
    this.opts.devices.seen(device.id);
    this.opts.devices.noteMode(device.id, mode);
    const isClosed = () => this.closed;
    const isHidden = () => this.hidden;
    const { access, devices } = this.opts;
    this.peer = {
      roleOn: (sessionId) => access.roleOn(device.id, sessionId),
      connectionId: this.connectionId,
      deviceId: device.id,
      // Read at each use, so presence shows a rename at once.
      get deviceName() {
        return devices.current(device.id)?.name ?? device.name;
      },
      mode,
      ...(label ? { label } : {}),
      protocolVersion: v,
      eventPages: eventPages === true,
      livePages: livePages === true,
      send: (frame) => this.send(frame),
      sendFrames: (frames, shared) => this.sendFrames(frames, shared),
      bufferedAmount: () => this.ws.bufferedAmount,
      drained: () => this.drained(),
      fail: (reason) => this.close(CloseCode.InternalError, reason),
      get closed() {
        return isClosed();
      },
      get hidden() {
        return isHidden();
      },
    };
    this.send(
      JSON.stringify({
        type: 'welcome',
        // The connection speaks the client's version; the server keeps every supported one.
        v,
        connectionId: this.connectionId,
        deviceId: device.id,
        deviceName: device.name,
        role: device.role,
        ...(device.sessionScope === undefined ? {} : { sessionScope: device.sessionScope }),
        heartbeatMs: this.opts.heartbeatMs,
        maxFrameBytes: this.opts.maxFrameBytes,
      }),
    );
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
    this.heartbeat.unref();
    this.opts.onAuthenticated(this);
  }

  private beat(): void {
    if (Date.now() - this.lastHeard > this.opts.heartbeatMs * 3) {
      this.opts.log.info('dropping a connection that stopped answering', {
        connection: this.connectionId,
      });
      // A close frame with 4410 reaches a client that still reads but stopped answering pings;
      // close() cuts a peer that never completes the handshake after its grace period.
      this.close(
        CloseCode.HeartbeatTimeout,
        'no pong or frame for three heartbeat intervals; reconnect',
      );
      this.onClosed();
      return;
    }
    try {
      this.ws.ping();
    } catch {
      // The close handler cleans up.
    }
  }

  /**
   * Resolves once the queue is below LOW_WATER_BYTES. The socket's 'drain' (its buffer emptied)
   * answers at once, so a replay continues as soon as the kernel took the last page rather than
   * on the next poll; the poll stays for bytes queued inside `ws` itself, which 'drain' does not
   * cover, and for a socket `ws` does not expose.
   */
  private drained(): Promise<void> {
    if (this.closed || this.ws.bufferedAmount < LOW_WATER_BYTES) return Promise.resolve();
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        if (timer) clearTimeout(timer);
        if (this.closed || this.ws.bufferedAmount < LOW_WATER_BYTES) {
          socket?.off('drain', check);
          socket?.off('close', check);
          resolve();
        } else {
          timer = setTimeout(check, DRAIN_POLL_MS);
        }
      };
      socket?.on('drain', check);
      socket?.on('close', check);
      timer = setTimeout(check, DRAIN_POLL_MS);
    });
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.pacer?.dispose();
    this.opts.socket.off('data', this.countPreHello);
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.opts.hub.disconnect(this.connectionId);
    this.opts.onClose(this);
  }
}
