import type { SessionStatus } from '@baton/protocol';
import type { Logger } from '../logger.js';
import type { LiveSession } from '../hub/live-session.js';

/** Statuses that mean the previous owner's runner was working. */
const LIVE: readonly SessionStatus[] = ['starting', 'running', 'idle', 'stopping'];

/**
 * Settles a session this node just took over from another (which died, was cut off from
 * PostgreSQL, or was paused past its lease): like a restart of a single node (crash-recovery.ts).
 * - a terminal's shell ran on the old node and is gone: `exited` with the reason and a restart
 *   (every node's projection already shows its last screen);
 * - an agent is started here: its runner reads the log, ends an open turn as failed, and resumes
 *   the conversation with the messages no turn answered.
 */
export async function settleTakeover(session: LiveSession, log: Logger): Promise<void> {
  if (!LIVE.includes(session.status)) return;
  if (!session.isAgent) {
    await session.setStatus('exited', {
      reason:
        'the node running this shell stopped and another node took the session over; restart the session to get a new shell in the same directory',
    });
    return;
  }
  await session.ensureRunner().catch((err: unknown) => {
    log.warn('an agent session could not be resumed after a takeover', {
      session: session.id,
      error: (err as Error).message,
    });
  });
}
