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
          // An inline icon: an emoji lock depends on the device's fonts.
          <svg
            className="sealed-mark"
            role="img"
            aria-label="sealed"
            viewBox="0 0 16 16"
            width="12"
            height="12"
          >
            <title>Sealed: the relay carries this session but cannot read it</title>
            <path
              fill="currentColor"
              d="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 0 0-4 0v2z"
            />
          </svg>
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
