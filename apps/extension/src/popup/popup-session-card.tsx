import { useState, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { SessionInfo } from '@baton/protocol';
import { errorText } from '../../../web/src/error-text.js';
import { AttentionBadge } from '../../../web/src/session/attention-badge.js';
import { AttachmentSummary } from '../../../web/src/sessions/attachment-summary.js';
import { KIND_LABELS } from '../../../web/src/sessions/session-row.js';
import { StatusBadge } from '../../../web/src/sessions/status-badge.js';
import { ErrorNotice } from '../../../web/src/shell/error-notice.js';
import { openInSidePanel } from '../sidepanel/open-in-side-panel.js';
import { QuickSend } from './quick-send.js';
import { WaitingPrompts } from './waiting-prompts.js';

/**
 * A session in the popup: its status, whether it needs you, its last line and who is attached
 * (all from the sessions list, live), then quick send, Stop (the agent's turn, or Ctrl-C in a
 * terminal), any prompt waiting for an answer, and a way to open it in the side panel.
 */
export function PopupSessionCard({ session: s }: { session: SessionInfo }): ReactNode {
  const client = useBatonClient();
  const [error, setError] = useState<string>();
  const [stopping, setStopping] = useState(false);
  const stop = (): void => {
    setStopping(true);
    setError(undefined);
    client.interrupt(s.id).then(
      () => setStopping(false),
      (err: unknown) => {
        setStopping(false);
        setError(errorText(err));
      },
    );
  };
  const live = s.status === 'running' || s.status === 'idle' || s.status === 'starting';
  return (
    <li className="session-card popup-session" data-session-id={s.id} data-status={s.status}>
      <div className="session-card-main">
        <span className="session-name">{s.name}</span>
        <span className="kind">{KIND_LABELS[s.kind]}</span>
        <StatusBadge status={s.status} reason={s.reason} degraded={s.degraded} />
        <AttentionBadge attention={s.attention} />
      </div>
      {s.preview ? (
        <p className="session-preview" title={s.preview}>
          {s.preview}
        </p>
      ) : null}
      <div className="session-card-attached">
        <span className="muted">Attached: </span>
        <AttachmentSummary attached={s.attached} />
      </div>
      {s.attention && s.kind !== 'terminal' ? <WaitingPrompts sessionId={s.id} /> : null}
      {live ? <QuickSend session={s} /> : null}
      <div className="popup-actions">
        {live ? (
          <button
            type="button"
            onClick={stop}
            disabled={stopping}
            aria-label={
              s.kind === 'terminal' ? `Send Ctrl-C to ${s.name}` : `Stop the turn of ${s.name}`
            }
          >
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        ) : null}
        <button
          type="button"
          onClick={() =>
            void openInSidePanel(s.id).catch((err: unknown) => setError(errorText(err)))
          }
        >
          Open in side panel
        </button>
      </div>
      <ErrorNotice error={error} />
    </li>
  );
}
