import { useEffect, useState, type ReactNode } from 'react';
import { useBatonClient, useConnection } from '@baton/react';
import { usePendingInputs } from './use-pending-inputs.js';
import { useCatchUp } from './use-catch-up.js';
import './connection-banner.css';

/** Catching up for longer than this shows the banner (a normal catch-up is over before). */
const BEHIND_BANNER_AFTER_MS = 1500;

/**
 * A banner across the page while this window is not live: offline (with what waits to be sent
 * and a "Reconnect now" that skips the backoff delay) or behind on the shown session. It cannot
 * be missed the way the small indicator in the header can.
 */
export function ConnectionBanner({ sessionId }: { sessionId: string | undefined }): ReactNode {
  const client = useBatonClient();
  const state = useConnection();
  const pending = usePendingInputs();
  const behind = useCatchUp(sessionId);
  const longBehind = useLasting(
    state.status === 'connected' && behind !== 0,
    BEHIND_BANNER_AFTER_MS,
  );

  const offline =
    state.status === 'reconnecting' ||
    state.status === 'disconnected' ||
    (state.status === 'connecting' && state.attempt > 0);
  if (!offline && !longBehind) return null;

  const waiting =
    pending > 0 ? ` ${pending} input${pending === 1 ? '' : 's'} will be sent when it is back.` : '';
  let text: string;
  if (!offline) text = 'Catching up with the server: what you see may be out of date.';
  else if (state.status === 'connecting')
    text = `Offline: connecting (attempt ${state.attempt + 1}).`;
  else if (state.status === 'reconnecting')
    text = `Offline: next try in ${Math.max(1, Math.round(state.retryInMs / 1000))} s (attempt ${state.attempt}).`;
  else text = 'Offline.';

  return (
    <div
      className={`connection-banner ${offline ? 'connection-banner-offline' : 'connection-banner-behind'}`}
      role="region"
      aria-label="Connection"
      data-state={offline ? 'offline' : 'behind'}
    >
      <span className="connection-banner-text">
        {text}
        {waiting}
      </span>
      {offline ? (
        <button
          type="button"
          onClick={() =>
            state.status === 'disconnected' ? client.connect() : client.reconnectNow()
          }
        >
          Reconnect now
        </button>
      ) : null}
    </div>
  );
}

/** True once `condition` has held for `ms` without a break. */
function useLasting(condition: boolean, ms: number): boolean {
  const [lasting, setLasting] = useState(false);
  useEffect(() => {
    if (!condition) {
      setLasting(false);
      return;
    }
    const timer = setTimeout(() => setLasting(true), ms);
    return () => clearTimeout(timer);
  }, [condition, ms]);
  return condition && lasting;
}
