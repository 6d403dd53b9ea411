import type { ReactNode } from 'react';
import { useSessions } from '@baton/react';
import { ConnectionIndicator } from '../../../web/src/shell/connection-indicator.js';
import { PopupSessionCard } from './popup-session-card.js';

/**
 * The popup: every session with its status and who is attached, each with quick send, Stop and
 * any prompt waiting for an answer. It follows the sessions list live while it is open.
 */
export function PopupApp(): ReactNode {
  const { sessions, loaded } = useSessions();
  return (
    <main className="popup" aria-labelledby="popup-title">
      <header className="popup-header">
        <img src="/icons/icon.svg" alt="" width={20} height={20} />
        <h1 id="popup-title">baton</h1>
        <ConnectionIndicator sessionId={undefined} />
      </header>
      {!loaded ? (
        <p className="muted loading">Loading the sessions…</p>
      ) : sessions.length === 0 ? (
        <p className="muted">No sessions yet. Start one in the baton app or with baton new.</p>
      ) : (
        <ul className="session-list popup-sessions" aria-label="Sessions">
          {sessions.map((s) => (
            <PopupSessionCard key={s.id} session={s} />
          ))}
        </ul>
      )}
    </main>
  );
}
