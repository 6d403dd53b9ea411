import { createContext, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import { useBatonClient } from '@baton/react';
import type { Attachment } from '@baton/protocol';
import type { DeviceDirectory } from './device-directory.js';

/** The window's device directory (made once in App). */
export const DeviceDirectoryContext = createContext<DeviceDirectory | undefined>(undefined);

/** A device's name by id, or undefined when neither presence nor the directory knows it. */
export type NameOf = (deviceId: string) => string | undefined;

/**
 * Names of devices: those attached now (presence, the freshest: a rename shows at once), then
 * every device the server knows, including those that left or were revoked (the directory).
 * The directory is read again whenever presence changes (someone joined, left or was renamed)
 * and when this device's own identity changes, so a device that leaves is named by its last name.
 */
export function useDeviceNames(attached: readonly Attachment[]): NameOf {
  const directory = useContext(DeviceDirectoryContext);
  if (!directory) throw new Error('useDeviceNames needs a DeviceDirectoryContext provider (App)');
  const client = useBatonClient();
  const names = useSyncExternalStore(directory.subscribe, directory.getSnapshot);
  const presenceKey = attached.map((a) => `${a.deviceId}=${a.deviceName}`).join('\n');

  useEffect(() => {
    directory.refresh();
  }, [directory, presenceKey]);
  useEffect(() => client.on('device', () => directory.refresh()), [client, directory]);

  return useMemo(() => {
    const live = new Map(attached.map((a) => [a.deviceId, a.deviceName]));
    return (deviceId) => {
      const name = live.get(deviceId) ?? names.get(deviceId);
      if (name === undefined) directory.want(deviceId);
      return name;
    };
  }, [attached, names, directory]);
}
