import type { ErrorCode } from '@baton/protocol';
import { RETRYABLE_ERROR_CODES } from '@baton/protocol';

/**
 * Codes the SDK itself produces, in addition to the server's `ErrorCode`s.
 * - `timeout`: no answer within the request timeout.
 * - `disconnected`: the connection dropped before the answer arrived; the request may be retried.
 * - `closed`: the client was closed with `close()`.
 * - `bad_reply`: the server answered with a frame that does not match the protocol.
 * - `expired`: a terminal input was not sent in time and was dropped (see `TERMINAL_INPUT_TTL_MS`).
 */
export type ClientErrorCode = 'timeout' | 'disconnected' | 'closed' | 'bad_reply' | 'expired';

/**
 * Every error code a `BatonError` can carry. A newer server may send a code this SDK does not
 * know; it is kept as it came and is not retryable.
 */
export type BatonErrorCode = ErrorCode | ClientErrorCode | (string & {});

const CLIENT_RETRYABLE: ReadonlySet<BatonErrorCode> = new Set<BatonErrorCode>([
  'timeout',
  'disconnected',
]);

/**
 * An error from the server (an `error` frame or HTTP error body) or from the SDK. Branch on
 * `code`, never on `message`; `retryable` says whether the same request may succeed unchanged.
 */
export class BatonError extends Error {
  override readonly name = 'BatonError';
  readonly code: BatonErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: BatonErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.retryable = isRetryableCode(code);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Whether a request that failed with `code` may succeed if sent again unchanged. */
export function isRetryableCode(code: BatonErrorCode): boolean {
  return CLIENT_RETRYABLE.has(code) || RETRYABLE_ERROR_CODES.has(code as ErrorCode);
}
