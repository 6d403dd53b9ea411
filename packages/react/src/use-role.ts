import type { Role } from '@baton/protocol';
import { useBatonClient } from './use-baton-client.js';
import { useConnection } from './use-connection.js';

/**
 * This device's role and, when it was paired for one session, that session: from the last
 * `welcome` (kept while reconnecting); `role` is undefined before the first one. For showing only
 * what the device may do (`ACTION_ROLE`); the server checks every action regardless.
 */
export function useRole(): { role: Role | undefined; sessionScope: string | undefined } {
  const client = useBatonClient();
  // Re-renders when the connection changes, which is when a new welcome can change the role.
  useConnection();
  return { role: client.role, sessionScope: client.sessionScope };
}
