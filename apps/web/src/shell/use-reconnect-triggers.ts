import { useEffect } from 'react';
import type { BatonClient } from '@baton/client';

/**
 * Reconnects at once when the network is probably back, instead of waiting out the backoff
 * delay (it took 5.6–7.4 s after a laptop woke): the browser's `online` event, the window
 * getting focus, the page becoming visible. While the link looks up, the same events make the
 * client check it with a ping, so a socket that died while the device slept is replaced at once.
 */
export function useReconnectTriggers(client: BatonClient): void {
  useEffect(() => {
    const now = (): void => client.reconnectNow();
    // The network itself is back: an attempt begun while it was down is started again too.
    const online = (): void => client.reconnectNow({ networkChanged: true });
    const visible = (): void => {
      if (document.visibilityState === 'visible') client.reconnectNow();
    };
    window.addEventListener('online', online);
    window.addEventListener('focus', now);
    document.addEventListener('visibilitychange', visible);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('focus', now);
      document.removeEventListener('visibilitychange', visible);
    };
  }, [client]);
}
