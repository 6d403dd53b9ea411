import { useEffect, useState, type ReactNode } from 'react';
import { dropMessage, type DroppedInputs } from '@baton/client';
import { useBatonClient } from '@baton/react';

/**
 * Tells the user when keys typed into this terminal were dropped instead of typed: they could not
 * be sent within a few seconds, or the session restarted (they were meant for a program that is
 * gone). Counts add up until the notice is dismissed.
 */
export function DroppedKeysNotice({ sessionId }: { sessionId: string }): ReactNode {
  const client = useBatonClient();
  const [dropped, setDropped] = useState<DroppedInputs>();

  useEffect(() => {
    setDropped(undefined);
    return client.on('inputsDropped', (d) => {
      if (d.sessionId !== sessionId) return;
      setDropped((previous) =>
        previous && previous.reason === d.reason ? { ...d, count: previous.count + d.count } : d,
      );
    });
  }, [client, sessionId]);

  if (!dropped) return null;
  return (
    <p className="notice notice-error" role="alert" data-testid="dropped-keys">
      {dropMessage(dropped.reason, dropped.count)}.{' '}
      <button type="button" onClick={() => setDropped(undefined)}>
        Dismiss
      </button>
    </p>
  );
}
