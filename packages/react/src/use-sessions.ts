import { useSyncExternalStore } from 'react';
import type { SessionsSnapshot } from '@baton/client';
import { useBatonClient } from './use-baton-client.js';

/**
 * Every session on the server (`loaded` is false until the first list arrives), kept current by
 * the server's `sessions.changed` pushes whatever page is shown.
 */
export function useSessions(): SessionsSnapshot {
  const { sessions } = useBatonClient();
  return useSyncExternalStore(sessions.subscribe, sessions.getSnapshot, sessions.getSnapshot);
}
