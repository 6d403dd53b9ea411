import type { Logger } from '../logger.js';
import type { Subscription } from './subscription.js';

/**
 * A replay to one subscriber failed (the store could not read, or the projection could not
 * snapshot). That subscriber alone is cut: its connection closes with 1011 and the client
 * reconnects and resumes from its last seq, which retries the read. Every other subscriber and
 * the session itself go on. Logged as an error with the session and connection, never hidden.
 */
export function replayFailed(
  log: Logger,
  sessionId: string,
  sub: Subscription,
  err: unknown,
): void {
  const message = err instanceof Error ? err.message : String(err);
  log.error('replay to a subscriber failed; closing its connection', {
    session: sessionId,
    connection: sub.peer.connectionId,
    nextSeq: sub.nextSeq,
    error: err instanceof Error ? (err.stack ?? message) : message,
  });
  sub.end();
  sub.peer.fail(`replay of ${sessionId} failed (${message}); reconnect and resume`);
}
