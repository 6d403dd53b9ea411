/**
 * Whether this browser still has the name it was given automatically when it signed in with the
 * owner token (a suggestion from its user agent) and the person has not yet chosen or kept it.
 * Holds the device id, so a later sign-in as another device asks again.
 */
const KEY = 'baton.device.unnamed';

export function markNameUnconfirmed(deviceId: string, storage: Storage = localStorage): void {
  storage.setItem(KEY, deviceId);
}

export function isNameUnconfirmed(deviceId: string, storage: Storage = localStorage): boolean {
  return storage.getItem(KEY) === deviceId;
}

export function confirmName(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}
