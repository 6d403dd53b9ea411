import { ACTION_ROLE, roleAtLeast, type Action } from '@baton/protocol';
import { useRole } from '@baton/react';

/**
 * Whether this device's role allows `action`, to show only what it may do. Before the first
 * `welcome` the role is unknown and everything is shown: the server checks every action
 * regardless and refuses with `forbidden`. A per-session narrowing is not known to the client;
 * the server's refusal covers it.
 */
export function useCan(action: Action): boolean {
  const { role } = useRole();
  return role === undefined || roleAtLeast(role, ACTION_ROLE[action]);
}
