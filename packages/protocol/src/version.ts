/**
 * Protocol version negotiation.
 *
 * A client sends the version it speaks in its `hello`; the server accepts any version in
 * [MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION] and closes with `CloseCode.UnsupportedVersion`
 * otherwise. Bump PROTOCOL_VERSION whenever a schema in this package changes shape (the
 * schema-hash test fails until you do), and add a history line below.
 *
 * History:
 * - 1: first version (hello/welcome, sessions, ordered log with replay and snapshots, inputs with
 *      client ids and acks, presence, terminal and agent events).
 */
export const PROTOCOL_VERSION = 1;
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;

/** The WebSocket path. The version in the path changes only for an incompatible transport. */
export const WEBSOCKET_PATH = '/v1/ws';
