import type { Socket } from 'node:net';
import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  MIN_SUPPORTED_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  parseClientFrame,
  type ConnectionMode,
  type ErrorCode,
  type RequestId,
} from '@baton/protocol';
import { newConnectionId } from '../auth/tokens.js';
import type { DeviceRegistry } from '../auth/device-registry.js';
import type { SessionHub } from '../hub/session-hub.js';
import type { Peer } from '../hub/peer.js';
import type { Logger } from '../logger.js';
import { dispatch, type DispatchContext } from './dispatch.js';

/** Below this many queued bytes a subscriber that fell behind is served again. */
const LOW_WATER_BYTES = 256 * 1024;
/** A connection whose queue passes this is closed; its client reconnects and resumes. */
const HARD_LIMIT_BYTES = 64 * 1024 * 1024;
const HELLO_TIMEOUT_MS = 10_000;

export interface ConnectionOptions {
  hub: SessionHub;
  devices: DeviceRegistry;
  log: Logger;
  heartbeatMs: number;
  maxFrameBytes: number;
  /** Called once when the connection ends, to forget it. */
  onClose(conn: ClientConnection): void;
}

/**
 * One WebSocket from one window or process. Authenticates with the first frame (`hello`),
 * validates every frame against the protocol, answers every bad frame with an error (the
 * connection stays up), and keeps the connection alive with pings.
 */
export class ClientConnection {
  readonly connectionId = newConnectionId();
  private peer: (Peer & { deviceId: string }) | undefined;
  private readonly attached = new Map<string, { readOnly: boolean }>();
  private lastHeard = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: ConnectionOptions,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.on('close', () => this.onClosed());
    ws.on('error', (err) =>
      opts.log.debug('websocket error', { connection: this.connectionId, error: err.message }),
    );
    this.helloTimer = setTimeout(() => {
      if (!this.peer) this.close(CloseCode.HelloTimeout, 'no hello within 10 s');
    }, HELLO_TIMEOUT_MS);
  }

  get deviceId(): string | undefined {
    return this.peer?.deviceId;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    // A peer that never completes the closing handshake is cut after a grace period.
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  private send(frame: string | Buffer): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > HARD_LIMIT_BYTES) {
      this.opts.log.warn('closing a connection that stopped reading', {
        connection: this.connectionId,
      });
      this.close(CloseCode.SlowConsumer, 'send queue overflow: reconnect and resume');
      return;
    }
    this.corkUntilNextTick();
    // A Buffer is sent as a text frame: the bytes are already UTF-8 JSON.
    this.ws.send(frame, { binary: false });
  }

  /**
   * Frames sent to this socket during one tick (a commit batch fanned out, a replay page) leave
   * in one write instead of one system call each. `ws` keeps its TCP socket in `_socket`; if a
   * future version does not, frames are simply written one by one.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (!socket || typeof socket.cork !== 'function') return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private sendError(
    fields: { rid?: RequestId; sessionId?: string; inputId?: string },
    code: ErrorCode,
    message: string,
  ): void {
    this.send(JSON.stringify({ type: 'error', ...fields, code, message }));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastHeard = Date.now();
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
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.sendError(ridOf(text), parsed.error.code, parsed.error.message);
      return;
    }
    const msg = parsed.value;
    if (msg.type === 'hello') {
      this.onHello(msg.v, msg.token, msg.mode);
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
    const ctx: DispatchContext = {
      hub: this.opts.hub,
      peer: this.peer,
      attached: this.attached,
      reply: (rid, result) => this.send(JSON.stringify({ type: 'reply', rid, result })),
      error: (fields, code, message) => this.sendError(fields, code, message),
    };
    void dispatch(ctx, msg);
  }

  private onHello(v: number, token: string, mode: ConnectionMode): void {
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
    this.opts.devices.seen(device.id);
    const isClosed = () => this.closed;
    this.peer = {
      connectionId: this.connectionId,
      deviceId: device.id,
      deviceName: device.name,
      mode,
      protocolVersion: v,
      send: (frame) => this.send(frame),
      bufferedAmount: () => this.ws.bufferedAmount,
      drained: () => this.drained(),
      get closed() {
        return isClosed();
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
        heartbeatMs: this.opts.heartbeatMs,
        maxFrameBytes: this.opts.maxFrameBytes,
      }),
    );
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  private beat(): void {
    if (Date.now() - this.lastHeard > this.opts.heartbeatMs * 3) {
      this.opts.log.info('dropping a connection that stopped answering', {
        connection: this.connectionId,
      });
      this.ws.terminate();
      this.onClosed();
      return;
    }
    try {
      this.ws.ping();
    } catch {
      // The close handler cleans up.
    }
  }

  private drained(): Promise<void> {
    if (this.closed || this.ws.bufferedAmount < LOW_WATER_BYTES) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.closed || this.ws.bufferedAmount < LOW_WATER_BYTES) resolve();
        else setTimeout(check, 10);
      };
      setTimeout(check, 10);
    });
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.opts.hub.disconnect(this.connectionId);
    this.opts.onClose(this);
  }
}

/** Best effort: echo the rid of a frame that failed validation, so the client can match it. */
function ridOf(text: string): { rid?: RequestId } {
  try {
    const raw = JSON.parse(text) as unknown;
    if (raw && typeof raw === 'object' && 'rid' in raw) {
      const rid = (raw as { rid: unknown }).rid;
      if (
        (typeof rid === 'string' && rid.length <= 128) ||
        (typeof rid === 'number' && Number.isInteger(rid))
      )
        return { rid };
    }
  } catch {
    // not JSON: no rid
  }
  return {};
}
