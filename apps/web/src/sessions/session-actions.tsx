import { useState, type FormEvent, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { SessionInfo } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { isLive } from './status-badge.js';
import { useCan } from '../access/use-can.js';
import { Dialog } from '../shell/dialog.js';
import { Menu, type MenuItem } from '../shell/menu.js';
import { ErrorNotice } from '../shell/error-notice.js';

/**
 * Rename, stop, restart and delete for one session, behind a "⋯" menu (`label` names it: "Actions
 * for session build" in the list, "Session actions" in the session's bar). Each action is a
 * request whose error is shown beside the menu; the list itself changes only through the server's
 * `sessions.changed` pushes, so every window shows the same outcome. Only the actions this
 * device's role allows are offered (the server checks them regardless); with none, no menu.
 * `extra` entries follow the session's own (the phone's bar puts the rest of its tools there).
 */
export function SessionActions({
  session,
  label = `Actions for session ${session.name}`,
  onDeleted,
  extra = [],
}: {
  session: SessionInfo;
  label?: string;
  onDeleted?: () => void;
  extra?: readonly MenuItem[];
}): ReactNode {
  const client = useBatonClient();
  const canRename = useCan('session.rename');
  const canStop = useCan('session.stop');
  const canRestart = useCan('session.restart');
  const canDelete = useCan('session.delete');
  const [dialog, setDialog] = useState<'rename' | 'delete'>();
  const [error, setError] = useState<string>();

  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setError(undefined);
    try {
      await action();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };

  const items: MenuItem[] = [];
  if (canRename) items.push({ label: 'Rename', onSelect: () => setDialog('rename') });
  if (canStop && isLive(session.status))
    items.push({ label: 'Stop', onSelect: () => void run(() => client.stopSession(session.id)) });
  if (canRestart && (session.status === 'exited' || session.status === 'failed'))
    items.push({
      label: 'Restart',
      onSelect: () => void run(() => client.restartSession(session.id)),
    });
  if (canDelete) items.push({ label: 'Delete', danger: true, onSelect: () => setDialog('delete') });
  items.push(...extra);

  return (
    <div className="actions">
      <Menu label={label} items={items} />
      {dialog === 'rename' ? (
        <RenameDialog
          session={session}
          onClose={() => setDialog(undefined)}
          rename={(name) => run(() => client.renameSession(session.id, name))}
          error={error}
        />
      ) : dialog === 'delete' ? (
        <Dialog title={`Delete “${session.name}”?`} onClose={() => setDialog(undefined)}>
          <p>The session and its whole history are deleted, on every device.</p>
          <div className="form-actions">
            <button
              type="button"
              className="danger"
              onClick={() =>
                void run(() => client.deleteSession(session.id)).then((ok) => {
                  setDialog(undefined);
                  if (ok) onDeleted?.();
                })
              }
            >
              Delete
            </button>
            <button type="button" onClick={() => setDialog(undefined)}>
              Keep
            </button>
          </div>
        </Dialog>
      ) : null}
      <ErrorNotice error={dialog === undefined ? error : undefined} />
    </div>
  );
}

function RenameDialog({
  session,
  onClose,
  rename,
  error,
}: {
  session: SessionInfo;
  onClose: () => void;
  rename: (name: string) => Promise<boolean>;
  error: string | undefined;
}): ReactNode {
  const [name, setName] = useState(session.name);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const ok = await rename(name);
    setBusy(false);
    if (ok) onClose();
  };
  return (
    <Dialog title="Rename the session" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          New name for session {session.name}
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </label>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !name.trim()}>
            Save
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
        <ErrorNotice error={error} />
      </form>
    </Dialog>
  );
}
