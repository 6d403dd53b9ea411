import { useEffect, useState } from 'react';
import { pairingStatus } from '@baton/client';
import type { PairingStatus } from '@baton/protocol';

/** How often a waiting pairing is asked about. */
const POLL_MS = 1000;

/**
 * The state of a pairing this device issued, asked every second while it waits, so "Add a
 * device" can say "paired!" as soon as the other device redeems the code. Stops once paired or
 * expired.
 */
export function usePairingStatus(
  token: string | undefined,
  id: string | undefined,
): PairingStatus | undefined {
  const [status, setStatus] = useState<PairingStatus>();
  useEffect(() => {
    setStatus(undefined);
    if (!token || !id) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = (): void => {
      pairingStatus(window.location.origin, token, id).then(
        (s) => {
          if (stopped) return;
          setStatus(s);
          if (s.state === 'waiting') timer = setTimeout(poll, POLL_MS);
        },
        // A blip (offline, restarting server): ask again; the expiry still ends the wait.
        () => {
          if (!stopped) timer = setTimeout(poll, POLL_MS);
        },
      );
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, id]);
  return status;
}
