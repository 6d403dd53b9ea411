import type { ConnectionMode, Role } from '@baton/protocol';

/**
 * A connected window or process as the hub sees it: one WebSocket, one device. The hub keys
 * nothing by it except attachments (presence) and subscriptions, which end with the connection.
 */
export interface Peer {
  readonly connectionId: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly mode: ConnectionMode;
  /** The name the connection gave itself in its `hello`, shown in presence. */
  readonly label?: string;
  /**
   * The device's role on a session now (presence shows it); undefined for a peer without roles
   * (in-process test peers) or a session it may not see.
   */
  roleOn?(sessionId: string): Role | undefined;
  /** The protocol version this connection speaks (from its `hello`). */
  readonly protocolVersion: number;
  /**
   * The connection said in its `hello` that it takes `events` frames: a replay page is sent to it
   * as one frame. Undefined or false: one `event` frame per event, as for every older client.
   */
  readonly eventPages?: boolean;
  /**
   * The connection said in its `hello` that it takes a live commit's events as one `events`
   * frame. Undefined or false: live events go as `event` frames, one each.
   */
  readonly livePages?: boolean;
  /**
   * Queue a text frame (a string, or its UTF-8 bytes when one encoding serves many peers).
   * Never blocks; the queue is bounded by the WebSocket layer.
   */
  send(frame: string | Buffer): void;
  /**
   * Queue several text frames in order, as `send` would one by one; a WebSocket peer encodes
   * them into one buffer and one write (a replay page, a commit's events). Optional: without it,
   * `send` each. `shared`: where the encoding of these same frames is kept, so that the peers
   * sent them (every live subscriber of a commit) encode them once between them.
   */
  sendFrames?(frames: readonly (string | Buffer)[], shared?: EncodedFrames): void;
  /** Bytes queued and not yet written to the socket. */
  bufferedAmount(): number;
  /** Resolves when the queue has drained below the low-water mark (or the peer closed). */
  drained(): Promise<void>;
  readonly closed: boolean;
  /**
   * The window said its page is hidden (`visibility`); undefined or false counts as visible.
   * A visible window subscribed to a session means its device is looking at that session.
   */
  readonly hidden?: boolean;
  /**
   * Ends this connection because the server could not keep it in step (a replay failed). The
   * client reconnects and resumes from its last seq; nothing else is affected.
   */
  fail(reason: string): void;
}

/**
 * A holder for the wire encoding of one list of frames, filled by the first peer that encodes
 * them and reused by the others. The hub never reads it; only the transport knows the encoding.
 */
export interface EncodedFrames {
  encoded?: Buffer;
}

/** An actor for an action: a device, and the connection it came from when over WebSocket. */
export interface Actor {
  deviceId: string;
  connectionId?: string;
}
