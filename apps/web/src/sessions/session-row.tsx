import type { ReactNode } from 'react';
import type { SessionInfo } from '@baton/protocol';
import { Link } from '../routing/link.js';
import { sessionPath } from '../routing/location-store.js';
import { AttentionBadge } from '../session/attention-badge.js';
import { AttachmentSummary } from './attachment-summary.js';
import { relativeTime } from './relative-time.js';
import { SessionActions } from './session-actions.js';
import { StatusBadge } from './status-badge.js';

export const KIND_LABELS = { terminal: 'Terminal', claude: 'Claude Code', codex: 'Codex' } as const;

/**
 * One session in the navigator: its name (a link over the whole row), kind, status, whether it
 * needs you, when it was last active, its last line, who is attached, and its actions behind
 * "⋯" (`actions` false while the list is a saved copy, offline). `compact` is the sidebar's row:
 * no attachment line.
 */
export function SessionRow({
  session: s,
  now,
  actions,
  current = false,
  compact = false,
}: {
  session: SessionInfo;
  now: number;
  actions: boolean;
  current?: boolean;
  compact?: boolean;
}): ReactNode {
  return (
    <li
      className={`${compact ? 'nav-row' : 'session-card'}${current ? ' current' : ''}`}
      data-session-id={s.id}
      data-status={s.status}
    >
      <div className="session-card-main">
        <Link
          href={sessionPath(s.id)}
          className="session-name"
          aria-current={current ? 'page' : undefined}
        >
          {s.name}
        </Link>
        {s.sealed ? (
          <span
            className="sealed-mark"
            role="img"
            aria-label="sealed"
            title="Sealed: the relay carries this session but cannot read it"
          >
            🔒
          </span>
        ) : null}
        <span className="kind">{KIND_LABELS[s.kind]}</span>
        <StatusBadge status={s.status} reason={s.reason} degraded={s.degraded} />
        <AttentionBadge attention={s.attention} />
        <span className="muted last-activity">
          <time dateTime={new Date(s.lastActivityAt).toISOString()}>
            {relativeTime(s.lastActivityAt, now)}
          </time>
        </span>
      </div>
      {s.preview ? (
        <p className="session-preview" title={s.preview}>
          {s.preview}
        </p>
      ) : null}
      {compact ? null : (
        <div className="session-card-attached">
          <span className="muted">Attached: </span>
          <AttachmentSummary attached={s.attached} />
        </div>
      )}
      {actions ? <SessionActions session={s} /> : null}
    </li>
  );
}
