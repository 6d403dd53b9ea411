/**
 * WebSocket close codes the server uses. 4xxx codes are application codes; a client should not
 * reconnect after `Unauthorized` or `UnsupportedVersion` without changing something, and should
 * reconnect with backoff after any other code.
 */
export const CloseCode = {
  /** Normal close, for example after the client said goodbye. */
  Normal: 1000,
  /** The server is shutting down; reconnect with backoff. */
  GoingAway: 1001,
  /** A frame exceeded the maximum size, or more than 8 KiB arrived before `hello`. */
  TooLarge: 1009,
  /** The server failed to keep this connection in step (e.g. a replay failed); reconnect. */
  InternalError: 1011,
  /** The server is busy (too many connections waiting for `hello`); reconnect with backoff. */
  TryAgainLater: 1013,
  /**
   * Reserved for a client that broke the protocol; this server never sends it (such frames get
   * an `error` frame, a missing hello closes with 4408). Clients treat it as any other close.
   */
  ProtocolError: 4400,
  /** The credential in `hello` is missing, unknown or revoked. Do not retry with the same token. */
  Unauthorized: 4401,
  /** No `hello` arrived within the hello timeout. */
  HelloTimeout: 4408,
  /** The client's protocol version is not supported. Do not retry without upgrading. */
  UnsupportedVersion: 4426,
  /** The heartbeat found the connection dead. */
  HeartbeatTimeout: 4410,
  /** The client stopped reading and its send queue overflowed. Reconnect and resume. */
  SlowConsumer: 4429,
  /** The device was revoked while connected. */
  DeviceRevoked: 4403,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which reconnecting with the same credential and version cannot succeed. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.Unauthorized,
  CloseCode.UnsupportedVersion,
  CloseCode.DeviceRevoked,
]);
