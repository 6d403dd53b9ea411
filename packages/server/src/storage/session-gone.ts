import { BatonError } from '../baton-error.js';

/**
 * An upload to a session deleted while its body arrived: refused, and nothing of it is kept (a
 * use by a session that is gone would keep the attachment for good).
 */
export function sessionGone(sessionId: string): BatonError {
  return new BatonError('not_found', `session ${sessionId} was deleted`);
}
