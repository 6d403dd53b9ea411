import { createContext, useContext } from 'react';

/**
 * This browser's device id, known from sign-in, so the app can tell its own messages even while
 * offline (when the connection's `welcome` is not there to say it).
 */
export const DeviceIdContext = createContext<string | undefined>(undefined);

/** This browser's device id. */
export function useDeviceId(): string | undefined {
  return useContext(DeviceIdContext);
}
