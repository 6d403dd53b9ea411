import type { SessionStatus } from '@baton/protocol';
import type { Logger } from '../logger.js';
import type { LiveSession } from './live-session.js';

/** Statuses that mean a runner was working when the previous server ended. */
const LIVE: readonly SessionStatus[] = ['starting', 'running', 'idle', 'stopping'];

/**
 * Settles a session whose runner the previous server left behind (it crashed, or was killed, or
 * stopped without saying so), at load, before any client is served (unless the store cannot
 * write: then it ends in the background once it can), so every device sees the
 * outcome without anyone sending anything:
 *
 * - a terminal's shell is gone (on a relay it lives on its host, and is re-attached instead): the session is `exited`, with the reason and how to go on;
 * - an agent's runner is started again. Starting reads the log and ends an open turn as
 *   `failed` with the reason, resolves unanswered permission prompts as expired, and runs the
 *   messages no turn has answered yet (resuming the conversation); with nothing queued, no agent
 *   process starts and the session is `idle`.
 *
 * Runs after the children a previous server left running were ended (ChildRegistry), so a
 * resumed conversation never has a second process beside the old one. A session that cannot be
 * settled is marked failed with the reason and the others go on.
 */
export async function settleAfterRestart(session: LiveSession, log: Logger): Promise<void> {
  if (!LIVE.includes(session.status)) return;
  // On a relay a shell runs on its host and outlived the relay: its runner re-attaches.
  if (!session.isAgent && session.config.host === undefined) {
    await session.setStatus('exited', {
      reason:
        'the server restarted and the shell ended; restart the session to get a new shell in the same directory',
    });
    return;
  }
  try {
    await session.ensureRunner();
  } catch (err) {
    // ensureRunner has marked the session failed with the reason.
    log.warn('an agent session could not be settled after the restart', {
      session: session.id,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
