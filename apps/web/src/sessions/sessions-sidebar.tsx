import type { ReactNode } from 'react';
import { useSessions } from '@baton/react';
import { NewSessionButton } from './new-session-button.js';
import { SessionGroupsList } from './session-groups-list.js';
import { useNow } from './use-now.js';

/**
 * The sessions navigator beside the open session on a wide screen (≥ 1024 px): the same groups
 * as the list page, compact, with the open session marked (`aria-current`), "+ New", and each
 * session's actions behind "⋯". Switching sessions is one click, like a chat app's sidebar.
 */
export function SessionsSidebar({ current }: { current: string | undefined }): ReactNode {
  const { loaded, sessions } = useSessions();
  const now = useNow();
  return (
    <nav className="sessions-sidebar" aria-label="All sessions">
      <div className="sidebar-title">
        <h2>Sessions</h2>
        <NewSessionButton />
      </div>
      {loaded ? (
        <SessionGroupsList
          sessions={sessions}
          now={now}
          actions
          current={current}
          compact
          headingLevel={3}
        />
      ) : (
        <p className="muted">Loading sessions…</p>
      )}
    </nav>
  );
}
