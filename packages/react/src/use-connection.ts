import { useSyncExternalStore } from 'react';
import type { ConnectionState } from '@baton/client';
import { useBatonClient } from './use-baton-client.js';

/**
 * The connection state (`connecting`, `connected`, `reconnecting` with the attempt and the delay,
 * `disconnected`, `failed` with the reason). Re-renders only when it changes.
 */
export function useConnection(): ConnectionState {
  const { connection } = useBatonClient();
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot, connection.getSnapshot);
}
