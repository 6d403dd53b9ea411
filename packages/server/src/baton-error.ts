import type { ErrorCode, Role } from '@baton/protocol';

/**
 * An error that reaches a client as `{code, message}`: thrown by the hub, mapped to an `error`
 * frame on WebSocket and to an HTTP status on the API.
 */
export class BatonError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    /** For `forbidden`: the least role that may do what was refused. */
    readonly requiredRole?: Role,
  ) {
    super(message);
    this.name = 'BatonError';
  }
}

/** The HTTP status for each error code. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'bad_json':
    case 'invalid_message':
    case 'bad_request':
    case 'clock_skew':
    case 'hello_required':
    case 'sealed_session':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
    case 'read_only':
      return 403;
    case 'not_found':
      return 404;
    case 'already_resolved':
    case 'session_not_running':
    case 'not_subscribed':
    case 'stale_input':
    case 'epoch_changed':
    case 'already_used':
    case 'already_started':
    case 'stale_version':
    case 'too_many_documents':
      return 409;
    case 'expired':
      return 410;
    case 'frame_too_large':
    case 'attachment_too_large':
    case 'too_large':
      return 413;
    case 'unsupported_attachment_type':
      return 415;
    case 'unsupported_version':
      return 426;
    case 'rate_limited':
      return 429;
    case 'agent_unavailable':
      return 424;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
  }
}
