import { useSyncExternalStore } from 'react';
import type { DeviceIdentity } from '@baton/client';
import { useBatonClient } from './use-baton-client.js';

/**
 * This device as the server sees it: its name and role, live (a role the owner changes shows
 * without a reload). Undefined until the first connection.
 */
export function useDevice(): DeviceIdentity | undefined {
  const { device } = useBatonClient();
  return useSyncExternalStore(device.subscribe, device.getSnapshot, device.getSnapshot);
}
