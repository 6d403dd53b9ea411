import type { ReactNode } from 'react';
import type { SessionStatus } from '@baton/protocol';

const LABELS: Record<SessionStatus, string> = {
  starting: 'starting',
  running: 'running',
  idle: 'idle',
  stopping: 'stopping',
  exited: 'exited',
  failed: 'failed',
};

/** A session's status as a coloured, text-labelled badge (colour is never the only signal). */
export function StatusBadge({
  status,
  reason,
  degraded,
}: {
  status: SessionStatus;
  reason?: string | undefined;
  /** Why the server cannot store this session's events right now (`SessionInfo.degraded`). */
  degraded?: string | undefined;
}): ReactNode {
  return (
    <>
      <span className={`badge badge-${status}`} data-status={status} title={reason}>
        {LABELS[status]}
      </span>
      {degraded !== undefined ? (
        <span className="badge badge-failed" data-degraded title={degraded}>
          not saving
        </span>
      ) : null}
    </>
  );
}

/** Whether a session's runner is alive or on its way (stop applies). */
export function isLive(status: SessionStatus): boolean {
  return status === 'starting' || status === 'running' || status === 'idle';
}
