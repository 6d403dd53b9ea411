import { registerDevice } from '@baton/client';
import type { ConnectionMode } from '@baton/protocol';
import { loadCredential, saveCredential, type DeviceCredential } from './device-credential.js';
import { takeFragmentToken } from './fragment-token.js';
import { platformName } from '../window-mode.js';

/** Where sign-in ended: with this browser's device credential, or signed out (with why). */
export type SignInResult =
  | {
      readonly kind: 'signed-in';
      readonly credential: DeviceCredential;
      readonly ownerToken?: string;
    }
  | { readonly kind: 'signed-out'; readonly error?: string };

/**
 * Signs this window in. A `#token=` fragment (the URL `baton serve` printed) registers this
 * browser as a device, unless it already is one; the device token is kept in localStorage for
 * every window of the browser. The owner token is never stored: it stays in this window's memory
 * only, to register again if the server refuses the stored device token.
 */
export async function signIn(mode: ConnectionMode): Promise<SignInResult> {
  const ownerToken = takeFragmentToken();
  const stored = loadCredential();
  if (stored)
    return { kind: 'signed-in', credential: stored, ...(ownerToken ? { ownerToken } : {}) };
  if (!ownerToken) return { kind: 'signed-out' };
  try {
    return {
      kind: 'signed-in',
      credential: await registerThisBrowser(ownerToken, mode),
      ownerToken,
    };
  } catch (error) {
    return {
      kind: 'signed-out',
      error: `This browser could not be registered: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Registers this browser as a new device with the owner token and stores its credential. */
export async function registerThisBrowser(
  ownerToken: string,
  mode: ConnectionMode,
): Promise<DeviceCredential> {
  const device = await registerDevice(
    window.location.origin,
    ownerToken,
    `browser on ${platformName()}`,
    mode,
  );
  const credential = { deviceId: device.deviceId, token: device.token };
  saveCredential(credential);
  return credential;
}
