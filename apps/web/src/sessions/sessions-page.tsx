import { useEffect, type ReactNode } from 'react';
import { useConnection, useSessions } from '@baton/react';
import type { SessionInfo } from '@baton/protocol';
import { Link } from '../routing/link.js';
import { sessionPath } from '../routing/location-store.js';
import { loadSessionsList, loadSessionView, saveSessionsList } from '../offline/view-cache.js';
import { AttachmentSummary } from './attachment-summary.js';
import { CreateSessionForm } from './create-session-form.js';
import { relativeTime } from './relative-time.js';
import { SessionActions } from './session-actions.js';
import { StatusBadge } from './status-badge.js';
import { useNow } from './use-now.js';
import { useCan } from '../access/use-can.js';

const KIND_LABELS = { terminal: 'Terminal', claude: 'Claude Code', codex: 'Codex' } as const;

/**
 * Every session, live: the list comes from the client's sessions store, which the provider keeps
 * current from the server's pushes whatever page is shown. Before the first list arrives (for
 * example opened offline) the last saved list is shown, marked as saved.
 */
export function SessionsPage({ footer }: { footer?: ReactNode } = {}): ReactNode {
  const { loaded, sessions } = useSessions();
  const connection = useConnection();
  const canCreate = useCan('session.create');
  const now = useNow();

  useEffect(() => {
    if (loaded) saveSessionsList(sessions);
  }, [loaded, sessions]);

  const saved = loaded ? undefined : loadSessionsList();
  const lastView = loaded ? undefined : loadSessionView();
  const shown: readonly SessionInfo[] = loaded ? sessions : (saved?.sessions ?? []);

  return (
    <main className="page sessions-page" aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
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
      {canCreate ? <CreateSessionForm disabled={connection.status !== 'connected'} /> : null}
      {shown.length === 0 && loaded ? (
        <p className="empty">
          No sessions yet. Create one above, or run <code>baton new</code>.
        </p>
      ) : (
        <ul className="session-list" aria-label="Sessions">
          {shown.map((s) => (
            <li key={s.id} className="session-card" data-session-id={s.id} data-status={s.status}>
              <div className="session-card-main">
                <Link href={sessionPath(s.id)} className="session-name">
                  {s.name}
                </Link>
                <span className="kind">{KIND_LABELS[s.kind]}</span>
                <StatusBadge status={s.status} reason={s.reason} degraded={s.degraded} />
                <span className="muted last-activity">
                  active{' '}
                  <time dateTime={new Date(s.lastActivityAt).toISOString()}>
                    {relativeTime(s.lastActivityAt, now)}
                  </time>
                </span>
              </div>
              <div className="session-card-attached">
                <span className="muted">Attached: </span>
                <AttachmentSummary attached={s.attached} />
              </div>
              {loaded ? <SessionActions session={s} /> : null}
            </li>
          ))}
        </ul>
      )}
      {footer}
    </main>
  );
}
