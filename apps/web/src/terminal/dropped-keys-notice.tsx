import { useEffect, useState, type ReactNode } from 'react';
import { dropMessage, type DroppedInputs } from '@baton/client';
import type { SessionInfo } from '@baton/protocol';
import { useBatonClient } from '@baton/react';
import { useCan } from '../access/use-can.js';
import { useRestart } from './use-restart.js';

/**
 * Tells the user when keys typed into this terminal were dropped instead of typed: they could not
 * be sent within a few seconds, the program had ended (typed into an exited terminal, or queued
 * offline for one), or the session restarted (they were meant for a program that is gone).
 * Counts add up until the notice is dismissed. While the program is not running, Restart is
 * offered right there.
 */
export function DroppedKeysNotice({
  sessionId,
  info,
}: {
  sessionId: string;
  info: SessionInfo | undefined;
}): ReactNode {
  const client = useBatonClient();
  const [dropped, setDropped] = useState<DroppedInputs>();
  const canRestart = useCan('session.restart');
  const { restart, busy, error } = useRestart(sessionId);

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
  const ended = info?.status === 'exited' || info?.status === 'failed';
  return (
    <p className="notice notice-error" role="alert" data-testid="dropped-keys">
      {dropMessage(dropped.reason, dropped.count)}.{' '}
      {ended && canRestart ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            setDropped(undefined);
            restart();
          }}
        >
          Restart
        </button>
      ) : null}{' '}
      <button type="button" onClick={() => setDropped(undefined)}>
        Dismiss
      </button>
      {error ? <span> {error}</span> : null}
    </p>
  );
}
