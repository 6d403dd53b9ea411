import type { ReactNode } from 'react';
import { useSessions } from '@baton/react';
import { isSessionId } from '../../../web/src/routing/session-by-name.js';
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
  const [sessionId, choose] = usePanelSession();
  const current = sessionId !== undefined && isSessionId(sessionId) ? sessionId : undefined;
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
          <SessionPage key={current} sessionId={current} oneBar />
        </ErrorBoundary>
      ) : (
        <p className="muted sidepanel-empty">
          Choose a session above, or “Open in side panel” in the baton popup.
        </p>
      )}
    </div>
  );
}
