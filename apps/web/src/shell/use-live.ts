import { useConnection } from '@baton/react';
import { useCatchUp } from './use-catch-up.js';

/**
 * Whether what this window shows is live: connected, and caught up on the shown session. While
 * it is not, statuses and badges are last known values and are shown dimmed.
 */
export function useLive(sessionId: string | undefined): boolean {
  const state = useConnection();
  const behind = useCatchUp(sessionId);
  return state.status === 'connected' && behind === 0;
}
