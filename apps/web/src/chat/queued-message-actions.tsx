import { useState, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import { errorText } from '../error-text.js';
import { useComposerFill } from './composer-fill.js';
import { ErrorNotice } from '../shell/error-notice.js';

/**
 * Edit and Cancel on one of this device's queued messages (stored, not yet taken by a turn).
 * Both withdraw it on the server first, so it never reaches the agent and every device drops
 * it; Edit then puts its text back into the composer to be changed and sent again, as a new
 * message at the end of the queue. When a turn took it in the meantime the server refuses, the
 * message stays as it is and the reason is shown.
 */
export function QueuedMessageActions({
  sessionId,
  inputId,
  text,
}: {
  sessionId: string;
  inputId: string;
  text: string;
}): ReactNode {
  const client = useBatonClient();
  const fill = useComposerFill();
  const [busy, setBusy] = useState<'edit' | 'cancel'>();
  const [error, setError] = useState<string>();

  const withdraw = async (action: 'edit' | 'cancel'): Promise<void> => {
    setBusy(action);
    setError(undefined);
    try {
      await client.withdraw(sessionId, inputId);
      if (action === 'edit') fill(text);
    } catch (err) {
      setError(errorText(err));
      setBusy(undefined);
    }
  };

  return (
    <div className="msg-queued-actions">
      <button
        type="button"
        onClick={() => void withdraw('edit')}
        disabled={busy !== undefined}
        aria-label="Edit this queued message"
      >
        {busy === 'edit' ? 'Editing…' : 'Edit'}
      </button>
      <button
        type="button"
        onClick={() => void withdraw('cancel')}
        disabled={busy !== undefined}
        aria-label="Cancel this queued message"
      >
        {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
      </button>
      <ErrorNotice error={error} />
    </div>
  );
}
