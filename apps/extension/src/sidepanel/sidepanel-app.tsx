import { useEffect, type ReactNode } from 'react';
import { useSessions } from '@baton/react';
import { isSessionId } from '../../../web/src/routing/session-by-name.js';
import { useRoute } from '../../../web/src/routing/use-route.js';
import { navigate } from '../../../web/src/routing/location-store.js';
import { SessionPage } from '../../../web/src/session/session-page.js';
import { ConnectionIndicator } from '../../../web/src/shell/connection-indicator.js';
import { ErrorBoundary } from '../../../web/src/shell/error-boundary.js';
import { usePanelSession } from './use-panel-session.js';

/**
 * The side panel: the web app's full session page (chat or terminal, presence, control) for one
 * session, beside whatever page the tab shows, with a picker for the session.
 */
export function SidePanelApp(): ReactNode {
  const { sessions, loaded } = useSessions();
  const [sessionId, choose, leave] = usePanelSession();
  const current = sessionId !== undefined && isSessionId(sessionId) ? sessionId : undefined;
  // The session page's "← Sessions" goes to the app's `/`: here that means back to the picker,
  // at the panel's own address (a reload of `/` would find no page in the extension).
  const route = useRoute();
  useEffect(() => {
    if (route.page !== 'sessions') return;
    navigate('/sidepanel.html', { replace: true });
    leave();
  }, [route, leave]);
  return (
    <div className="app sidepanel">
      <header className="sidepanel-header">
        <label>
          <span className="visually-hidden">Session</span>
          <select
            aria-label="Session"
            value={current ?? ''}
            onChange={(e) => choose(e.target.value)}
          >
            <option value="" disabled>
              {loaded ? 'Choose a session' : 'Loading the sessions…'}
            </option>
            {sessions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <ConnectionIndicator sessionId={current} />
      </header>
      {current ? (
        <ErrorBoundary key={current} what="this session">
          <SessionPage key={current} sessionId={current} />
        </ErrorBoundary>
      ) : (
        <p className="muted sidepanel-empty">
          Choose a session above, or “Open in side panel” in the baton popup.
        </p>
      )}
    </div>
  );
}
