import { useState, type ReactNode } from 'react';
import { useConnection } from '@baton/react';
import { useCan } from '../access/use-can.js';
import { Dialog } from '../shell/dialog.js';
import { CreateSessionForm } from './create-session-form.js';

/**
 * "+ New": one button that opens the new-session form in a dialog (a sheet from the bottom on a
 * phone), so the form never takes the list's place. Not shown to a role that may not create.
 */
export function NewSessionButton(): ReactNode {
  const canCreate = useCan('session.create');
  const connection = useConnection();
  const [open, setOpen] = useState(false);
  if (!canCreate) return null;
  return (
    <>
      <button type="button" className="primary new-session" onClick={() => setOpen(true)}>
        <span aria-hidden="true">+ </span>New<span className="visually-hidden"> session</span>
      </button>
      {open ? (
        <Dialog title="New session" className="sheet" onClose={() => setOpen(false)}>
          <CreateSessionForm
            disabled={connection.status !== 'connected'}
            onCreated={() => setOpen(false)}
          />
        </Dialog>
      ) : null}
    </>
  );
}
