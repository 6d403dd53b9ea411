import type { ConnectionMode } from '@baton/protocol';

/**
 * A connected window or process as the hub sees it: one WebSocket, one device. The hub keys
 * nothing by it except attachments (presence) and subscriptions, which end with the connection.
 */
export interface Peer {
  readonly connectionId: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly mode: ConnectionMode;
  /** The protocol version this connection speaks (from its `hello`). */
  readonly protocolVersion: number;
  /**
   * Queue a text frame (a string, or its UTF-8 bytes when one encoding serves many peers).
   * Never blocks; the queue is bounded by the WebSocket layer.
   */
  send(frame: string | Buffer): void;
  /** Bytes queued and not yet written to the socket. */
  bufferedAmount(): number;
  /** Resolves when the queue has drained below the low-water mark (or the peer closed). */
  drained(): Promise<void>;
  readonly closed: boolean;
}

/** An actor for an action: a device, and the connection it came from when over WebSocket. */
export interface Actor {
  deviceId: string;
  connectionId?: string;
}
