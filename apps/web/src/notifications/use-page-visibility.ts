import { useEffect } from 'react';
import type { BatonClient } from '@baton/client';

/**
 * Tells the server whether this window's page is visible, so a device is not notified about
 * the session it is looking at, and is when the window is in the background.
 */
export function usePageVisibility(client: BatonClient): void {
  useEffect(() => {
    const update = (): void => client.setVisible(document.visibilityState === 'visible');
    update();
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, [client]);
}
