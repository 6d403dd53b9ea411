import type { Logger } from '../logger.js';
import type { HostDirectory } from './host-directory.js';
import { LinkClosed, type HostLink } from './host-link.js';

/**
 * A session deleted on the relay leaves its host too (docs/relay.md, "Deleting a session"): the
 * host holds the files handed to its agent, the inputs its runners took and a sealed session's
 * keys. Only a host whose hello carried `kept` is told (`forget`): an older one would close its
 * link on a frame it does not know.
 */

/**
 * At the delete: every connected host that knows `forget` is told, not only the session's (the
 * relay no longer has its config). A host that never ran the session has nothing of it and
 * answers all the same. A host that is away is told at its next connection (`forgetOnConnect`).
 */
export function forgetOnHosts(directory: HostDirectory, sessionId: string, log: Logger): void {
  for (const link of directory.onlineLinks()) if (link.knowsForget) forget(link, sessionId, log);
}

/**
 * At a host's connection: of the sessions it says it holds anything of, those the relay no
 * longer has (deleted while the host was away). One lookup at a time, so that a host with
 * thousands of them does not queue thousands of store reads at once.
 */
export async function forgetOnConnect(
  link: HostLink,
  kept: readonly string[],
  sessionGone: (sessionId: string) => Promise<boolean>,
  log: Logger,
): Promise<void> {
  if (!link.knowsForget) return;
  for (const sessionId of kept) {
    if (link.isClosed) return;
    let gone: boolean;
    try {
      gone = await sessionGone(sessionId);
    } catch (err) {
      // The store cannot answer now: the host says the session again at its next connection.
      log.warn('could not look a host’s session up', {
        host: link.name,
        session: sessionId,
        error: (err as Error).message,
      });
      return;
    }
    if (gone) forget(link, sessionId, log);
  }
}

function forget(link: HostLink, sessionId: string, log: Logger): void {
  link.request({ type: 'forget', sessionId }).catch((err: unknown) => {
    // A host that went away hears of it at its next connection, from its own `kept`.
    if (err instanceof LinkClosed) return;
    log.warn('a host could not forget a deleted session', {
      host: link.name,
      session: sessionId,
      error: (err as Error).message,
    });
  });
}
