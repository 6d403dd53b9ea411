import type { ReactNode } from 'react';
import type { SessionInfo } from '@baton/protocol';
import { useCan } from '../access/use-can.js';
import { useRestart } from './use-restart.js';

/**
 * Inside the terminal area once its program has ended: "process exited — Restart", as VS Code
 * shows it. The last screen stays readable above it. Restart is offered to roles that may.
 */
export function TerminalExited({ info }: { info: SessionInfo }): ReactNode {
  const canRestart = useCan('session.restart');
  const { restart, busy, error } = useRestart(info.id);
  if (info.status !== 'exited' && info.status !== 'failed') return null;
  const how =
    info.status === 'failed'
      ? `process failed${info.reason ? `: ${info.reason}` : ''}`
      : `process exited${info.exitCode !== undefined ? ` with code ${info.exitCode}` : ''}${
          info.reason === 'stopped' ? ' (stopped)' : ''
        }`;
  return (
    <div className="terminal-exited" role="status" data-testid="terminal-exited">
      <span>{how}</span>
      {canRestart ? (
        <button type="button" onClick={restart} disabled={busy}>
          Restart
        </button>
      ) : null}
      {error ? <span className="terminal-exited-error">{error}</span> : null}
    </div>
  );
}
