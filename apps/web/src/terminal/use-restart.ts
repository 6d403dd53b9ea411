import { useCallback, useState } from 'react';
import { useBatonClient } from '@baton/react';
import { errorText } from '../error-text.js';

/** Restarts a session's program, with the request's progress and error for the button. */
export function useRestart(sessionId: string): {
  restart: () => void;
  busy: boolean;
  error: string | undefined;
} {
  const client = useBatonClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const restart = useCallback(() => {
    setBusy(true);
    setError(undefined);
    client.restartSession(sessionId).then(
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  }, [client, sessionId]);
  return { restart, busy, error };
}
