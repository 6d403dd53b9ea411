import { useState, type FormEvent, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { SessionInfo } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { isLive } from './status-badge.js';
import { useCan } from '../access/use-can.js';

/**
 * Rename, stop, restart and delete for one session. Each action is a request whose answer (or
 * error) is shown; the list itself changes only through the server's `sessions.changed` pushes,
 * so every window shows the same outcome. Only the actions this device's role allows are
 * offered (the server checks them regardless).
 */
export function SessionActions({
  session,
  onDeleted,
}: {
  session: SessionInfo;
  onDeleted?: () => void;
}): ReactNode {
  const client = useBatonClient();
  const canRename = useCan('session.rename');
  const canStop = useCan('session.stop');
  const canRestart = useCan('session.restart');
  const canDelete = useCan('session.delete');
  const [renaming, setRenaming] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [name, setName] = useState(session.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const rename = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (await run(() => client.renameSession(session.id, name))) setRenaming(false);
  };

  const label = `session ${session.name}`;
  return (
    <div className="actions">
      {!canRename ? null : renaming ? (
        <form className="inline-form" onSubmit={(e) => void rename(e)}>
          <label className="visually-hidden" htmlFor={`rename-${session.id}`}>
            New name for {label}
          </label>
          <input
            id={`rename-${session.id}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={200}
            autoFocus
            onKeyDown={(e) => {
              if (e.key === 'Escape') setRenaming(false);
            }}
          />
          <button type="submit" disabled={busy || !name.trim()}>
            Save
          </button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button
          type="button"
          onClick={() => {
            setName(session.name);
            setRenaming(true);
          }}
          aria-label={`Rename ${label}`}
        >
          Rename
        </button>
      )}
      {!canStop && !canRestart ? null : isLive(session.status) ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(() => client.stopSession(session.id))}
          aria-label={`Stop ${label}`}
        >
          Stop
        </button>
      ) : session.status === 'exited' || session.status === 'failed' ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(() => client.restartSession(session.id))}
          aria-label={`Restart ${label}`}
        >
          Restart
        </button>
      ) : null}
      {!canDelete ? null : confirmDelete ? (
        <span className="confirm" role="group" aria-label={`Confirm deleting ${label}`}>
          Delete with its history?
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              void run(() => client.deleteSession(session.id)).then((ok) => {
                if (ok) onDeleted?.();
              })
            }
          >
            Delete
          </button>
          <button type="button" onClick={() => setConfirmDelete(false)}>
            Keep
          </button>
        </span>
      ) : (
        <button
          type="button"
          className="danger-outline"
          onClick={() => setConfirmDelete(true)}
          aria-label={`Delete ${label}`}
        >
          Delete
        </button>
      )}
      {error ? (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
