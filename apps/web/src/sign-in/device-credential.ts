/**
 * This browser's device credential. Every window of a browser profile shares it through
 * localStorage, so all windows are one device (identity is the device, never the socket); each
 * window still opens its own connection.
 */
export interface DeviceCredential {
  readonly deviceId: string;
  readonly token: string;
}

const KEY = 'baton.device';

/** The stored credential, or undefined when this browser has not signed in (or it is corrupt). */
export function loadCredential(storage: Storage = localStorage): DeviceCredential | undefined {
  const text = storage.getItem(KEY);
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<DeviceCredential>;
    if (typeof value.deviceId === 'string' && typeof value.token === 'string') {
      return { deviceId: value.deviceId, token: value.token };
    }
  } catch {
    // Fall through: a corrupt entry is treated as signed out.
  }
  storage.removeItem(KEY);
  return undefined;
}

export function saveCredential(
  credential: DeviceCredential,
  storage: Storage = localStorage,
): void {
  storage.setItem(KEY, JSON.stringify(credential));
}

/** Forgets the credential (the server refused it); the sign-in screen is shown next. */
export function clearCredential(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}
