import { z } from 'zod';
import { Role } from './role.js';

/**
 * Every error on the wire (WebSocket `error` frames and HTTP error bodies) carries one of these
 * codes. Clients branch on the code, never on the message text.
 */
export const ErrorCode = z.enum([
  /** The frame was not valid JSON. */
  'bad_json',
  /** The frame was JSON but did not match any message schema; `message` says which field. */
  'invalid_message',
  /** The frame exceeded the server's maximum frame size. */
  'frame_too_large',
  /** The first frame must be `hello`, and only once. */
  'hello_required',
  /** The client speaks a protocol version the server does not support. */
  'unsupported_version',
  /** Missing, unknown or revoked credential. */
  'unauthorized',
  /**
   * The credential is valid but its role may not do this; `requiredRole` names the role needed.
   * Also a device paired for one session asking for something beyond it.
   */
  'forbidden',
  /** The attachment is read-only: input, resize and interrupt are refused. */
  'read_only',
  /** No session (or other object) with that id. */
  'not_found',
  /** The request needs the session to be subscribed on this connection first. */
  'not_subscribed',
  /** The session is not in a state that accepts this (for example input to an exited shell). */
  'session_not_running',
  /** A permission request that was already answered. The first answer wins. */
  'already_resolved',
  /** The request is well-formed but its values are not acceptable. */
  'bad_request',
  /** The agent binary is missing or cannot authenticate; `message` says what to install or set. */
  'agent_unavailable',
  /**
   * A terminal input typed for an earlier run of the session (`payload.run` differs from the
   * session's `run`): the runner restarted, so the keys were not delivered. Not retryable.
   */
  'stale_input',
  /** Too many requests or too many pending inputs; retry after `retryAfterMs`. */
  'rate_limited',
  /** The server is shutting down or restarting, or its storage cannot write (full disk); retry. */
  'unavailable',
  /** A bug or storage failure on the server; nothing was acknowledged. */
  'internal',
  /**
   * The session's log is not the one the client's position belongs to (a backup was restored,
   * or the position is beyond the head). Subscribe again: the server answers with a `snapshot`
   * of reason `reset`.
   */
  'epoch_changed',
  /** A pairing code or handoff token whose time ran out (HTTP 410). Ask for a new one. */
  'expired',
  /** A single-use pairing code or handoff token that was already redeemed (HTTP 409). */
  'already_used',
  /**
   * An input that cannot be withdrawn any more: a turn already took it (added in 2, additive;
   * only ever sent to `input.withdraw`, which version 1 clients never send).
   */
  'already_started',
  /**
   * An attachment upload larger than the server's limit (HTTP 413; added in 2, additive). The
   * message says the limit.
   */
  'attachment_too_large',
  /**
   * An attachment whose bytes are not of a type the server accepts (HTTP 415; added in 2,
   * additive). The message lists the accepted types.
   */
  'unsupported_attachment_type',
  /**
   * A shared document's version is not the one the request was based on: a `doc.resolve` whose
   * conflict grew since `baseVersion`, or a `baseVersion` beyond the document's version. The
   * message names the current version; read the document again (`doc.get`).
   */
  'stale_version',
  /** A document, field, conflict or volatile value over its stated size (docs/protocol.md). */
  'too_large',
  /** A write that would create one document more than a session may have. */
  'too_many_documents',
  /** A `timestamp` write whose clock is too far ahead of the server's; fix the device's clock. */
  'clock_skew',
  /**
   * A plaintext input to a sealed session (added in 2, additive): the relay stores only inputs
   * sealed by their device (docs/protocol.md, "Sealed sessions"). Seal it with the session key
   * (`GET /api/sessions/{id}/keys`) and send it again. Not retryable unchanged.
   */
  'sealed_session',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Codes after which the same request may succeed if retried unchanged. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate_limited',
  'unavailable',
  'internal',
]);

/**
 * The codes version 1 knew. A version 1 client rejects a code it does not know, so a version 1
 * connection is sent one of these only: any later code reaches it as `bad_request`, which is how
 * a version 2 client treats a code it does not know (docs/protocol.md, section 16). A new code
 * never goes in here.
 */
export const VERSION_1_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'bad_json',
  'invalid_message',
  'frame_too_large',
  'hello_required',
  'unsupported_version',
  'unauthorized',
  'forbidden',
  'read_only',
  'not_found',
  'not_subscribed',
  'session_not_running',
  'already_resolved',
  'bad_request',
  'agent_unavailable',
  'rate_limited',
  'unavailable',
  'internal',
]);

/** The code a connection of `protocolVersion` is sent for `code` (see VERSION_1_ERROR_CODES). */
export function errorCodeForVersion(code: ErrorCode, protocolVersion: number): ErrorCode {
  return protocolVersion >= 2 || VERSION_1_ERROR_CODES.has(code) ? code : 'bad_request';
}

/**
 * An error code as a client receives it: a newer server may send codes this package does not
 * know (an additive change). Clients treat an unknown code like `bad_request`: not retryable.
 */
export const ReceivedErrorCode = z.union([ErrorCode, z.string().min(1).max(64)]);
export type ReceivedErrorCode = ErrorCode | (string & {});

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** With `forbidden`: the least role that may do what was refused. */
  requiredRole: Role.optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
