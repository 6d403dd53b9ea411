import type { ReactNode } from 'react';
import { useConnection } from '@baton/react';
import { usePendingInputs } from './use-pending-inputs.js';
import { useCatchUp } from './use-catch-up.js';

/**
 * The connection status, always visible: connected, connecting, reconnecting (with the attempt),
 * catching up on the shown session, or offline with the number of inputs waiting to be sent.
 * A polite live region, so screen readers hear changes without losing focus.
 */
export function ConnectionIndicator({ sessionId }: { sessionId: string | undefined }): ReactNode {
  const state = useConnection();
  const pending = usePendingInputs();
  const behind = useCatchUp(sessionId);
  const waiting = pending > 0 ? ` · ${pending} pending input${pending === 1 ? '' : 's'}` : '';
  let tone: 'ok' | 'busy' | 'bad';
  let text: string;
  let detail = '';
  switch (state.status) {
    case 'connected':
      if (behind !== 0) {
        tone = 'busy';
        text = behind > 0 ? `Catching up (${behind} events)` : 'Catching up';
      } else {
        tone = 'ok';
        text = 'Connected';
      }
      text += waiting;
      break;
    case 'connecting':
      if (state.attempt > 0) {
        tone = 'bad';
        text = `Offline${waiting} · connecting (attempt ${state.attempt + 1})`;
      } else {
        tone = 'busy';
        text = `Connecting${waiting}`;
      }
      break;
    case 'reconnecting':
      tone = 'bad';
      text =
        pending > 0
          ? `Offline · ${pending} pending input${pending === 1 ? '' : 's'} · reconnecting (attempt ${state.attempt})`
          : `Reconnecting (attempt ${state.attempt})`;
      detail = state.lastError;
      break;
    case 'disconnected':
      tone = 'bad';
      text = `Offline${waiting}`;
      break;
    case 'failed':
      tone = 'bad';
      text = 'Not signed in';
      detail = state.reason;
      break;
  }
  return (
    <div
      className={`connection connection-${tone}`}
      role="status"
      aria-live="polite"
      data-status={state.status}
      data-pending={pending}
      title={detail || undefined}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-text">{text}</span>
    </div>
  );
}
