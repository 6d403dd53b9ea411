import { useEffect, type ReactNode } from 'react';
import { useSessions } from '@baton/react';
import type { SessionInfo } from '@baton/protocol';
import { Link } from '../routing/link.js';
import { sessionPath } from '../routing/location-store.js';
import { loadSessionsList, loadSessionView, saveSessionsList } from '../offline/view-cache.js';
import { NewSessionButton } from './new-session-button.js';
import { relativeTime } from './relative-time.js';
import { SessionGroupsList } from './session-groups-list.js';
import { useNow } from './use-now.js';

/**
 * Every session, live, as a navigator: grouped (needs you, running, ended), latest activity
 * first, each with its last line and its actions behind "⋯"; "+ New" opens the create form. The
 * list comes from the client's sessions store, which the provider keeps current from the
 * server's pushes whatever page is shown. Before the first list arrives (for example opened
 * offline) the last saved list is shown, marked as saved.
 */
export function SessionsPage({ footer }: { footer?: ReactNode } = {}): ReactNode {
  const { loaded, sessions } = useSessions();
  const now = useNow();

  useEffect(() => {
    if (loaded) saveSessionsList(sessions);
  }, [loaded, sessions]);

  const saved = loaded ? undefined : loadSessionsList();
  const lastView = loaded ? undefined : loadSessionView();
  const shown: readonly SessionInfo[] = loaded ? sessions : (saved?.sessions ?? []);

  return (
    <main className="page sessions-page" aria-labelledby="sessions-title">
      <div className="page-title">
        <h1 id="sessions-title">Sessions</h1>
        <NewSessionButton />
      </div>
      {!loaded ? (
        <p className="notice notice-offline" role="note">
          {saved
            ? `Not connected. This is the list as saved ${relativeTime(saved.savedAt, now)}; it updates when baton is reachable.`
            : 'Loading sessions…'}
          {lastView ? (
            <>
              {' '}
              <Link href={sessionPath(lastView.info.id)}>
                Open the last session, “{lastView.info.name}”
              </Link>
            </>
          ) : null}
        </p>
      ) : null}
      {shown.length === 0 && loaded ? (
        <p className="empty">
          No sessions yet. Start one with <strong>+ New</strong>, or run <code>baton new</code>.
        </p>
      ) : (
        <SessionGroupsList sessions={shown} now={now} actions={loaded} />
      )}
      {footer}
    </main>
  );
}
