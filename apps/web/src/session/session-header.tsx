import { useState, type ReactNode } from 'react';
import type { SessionInfo } from '@baton/protocol';
import { Link } from '../routing/link.js';
import { navigate } from '../routing/location-store.js';
import { SessionActions } from '../sessions/session-actions.js';
import { StatusBadge } from '../sessions/status-badge.js';
import { useCan } from '../access/use-can.js';
import { AttentionBadge } from './attention-badge.js';

/** Name, kind and status of the open session, with its actions and the view toggles. */
export function SessionHeader({
  info,
  readOnly,
  onReadOnlyChange,
  devicesOpen,
  onDevicesToggle,
  deviceCount,
  deleted = false,
}: {
  info: SessionInfo | undefined;
  /**
   * The session was deleted (from this or another window): its last known status is no longer
   * true, so none is shown, and nothing is offered that acts on it.
   */
  deleted?: boolean;
  readOnly: boolean;
  onReadOnlyChange: ((readOnly: boolean) => void) | undefined;
  devicesOpen: boolean;
  onDevicesToggle: () => void;
  deviceCount: number;
}): ReactNode {
  const [showActions, setShowActions] = useState(false);
  // Renaming is the least of the actions under "Manage": a viewer has none of them.
  const canManage = useCan('session.rename');
  return (
    <header className="session-header">
      <div className="session-title">
        <Link href="/" className="back" aria-label="Back to sessions">
          ← <span className="back-text">Sessions</span>
        </Link>
        <h1>{info?.name ?? 'Session'}</h1>
        {info ? <span className="kind">{info.kind}</span> : null}
        {deleted ? (
          <span className="badge badge-deleted" data-status="deleted">
            deleted
          </span>
        ) : info ? (
          <StatusBadge status={info.status} reason={info.reason} degraded={info.degraded} />
        ) : null}
        {deleted ? null : <AttentionBadge attention={info?.attention} />}
      </div>
      <div className="session-tools">
        {onReadOnlyChange && !deleted ? (
          <button type="button" aria-pressed={readOnly} onClick={() => onReadOnlyChange(!readOnly)}>
            {readOnly ? 'Read-only: on' : 'Read-only: off'}
          </button>
        ) : null}
        <button
          type="button"
          aria-expanded={devicesOpen}
          aria-controls="devices-panel"
          onClick={onDevicesToggle}
        >
          Devices ({deviceCount})
        </button>
        {info && canManage && !deleted ? (
          <button
            type="button"
            aria-expanded={showActions}
            onClick={() => setShowActions((v) => !v)}
          >
            Manage
          </button>
        ) : null}
      </div>
      {info && showActions && canManage && !deleted ? (
        <div className="session-manage">
          <SessionActions session={info} onDeleted={() => navigate('/', { replace: true })} />
        </div>
      ) : null}
      {info?.reason && (info.status === 'failed' || info.status === 'exited') ? (
        <p className={`notice ${info.status === 'failed' ? 'notice-error' : 'notice-info'}`}>
          {info.reason}
        </p>
      ) : null}
    </header>
  );
}
