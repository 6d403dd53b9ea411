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

/**
 * This browser's device token, for the HTTP API calls the WebSocket does not cover (pairing).
 * Never the owner token.
 */
export const DeviceTokenContext = createContext<string | undefined>(undefined);

/** This browser's device token (undefined outside the signed-in app). */
export function useDeviceToken(): string | undefined {
  return useContext(DeviceTokenContext);
}
