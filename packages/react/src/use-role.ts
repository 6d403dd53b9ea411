import { useSyncExternalStore } from 'react';
import type { Role } from '@baton/protocol';
import { useBatonClient } from './use-baton-client.js';
import { useConnection } from './use-connection.js';

/**
 * This device's role and, when it was paired for one session, that session: from the last
 * `welcome` or `device.changed` (kept while reconnecting); `role` is undefined before the first one. For showing only
 * what the device may do (`ACTION_ROLE`); the server checks every action regardless.
 */
export function useRole(): { role: Role | undefined; sessionScope: string | undefined } {
  const client = useBatonClient();
  // Re-renders when the connection changes (a new welcome) and when the owner changes this
  // device's role while it is connected (`device.changed`).
  useConnection();
  useSyncExternalStore(
    client.device.subscribe,
    client.device.getSnapshot,
    client.device.getSnapshot,
  );
  return { role: client.role, sessionScope: client.sessionScope };
}
