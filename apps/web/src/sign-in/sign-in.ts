import { registerDevice } from '@baton/client';
import type { ConnectionMode } from '@baton/protocol';
import { loadCredential, saveCredential, type DeviceCredential } from './device-credential.js';
import { takeFragmentToken } from './fragment-token.js';
import { suggestDeviceName } from '../pairing/device-name.js';
import { markNameUnconfirmed } from './device-name-prompt.js';

/** Where sign-in ended: with this browser's device credential, or signed out (with why). */
export type SignInResult =
  | {
      readonly kind: 'signed-in';
      readonly credential: DeviceCredential;
      readonly ownerToken?: string;
    }
  | { readonly kind: 'signed-out'; readonly error?: string };

/** Why an owner token in the address bar was not used on this address. */
export const OWNER_TOKEN_REFUSED =
  'This address is not this computer’s own, so baton does not sign in with the owner token here ' +
  '(it would travel over the network). Pair this browser with a code instead.';

/**
 * Signs this window in. A `#token=` fragment (the URL `baton serve` printed, accepted on a
 * loopback address only) registers this browser as a device, unless it already is one; the
 * device token is kept in localStorage for every window of the browser. The owner token is never
 * stored: it stays in this window's memory only, to register again if the server refuses the
 * stored device token. Other devices sign in by pairing (the pairing page), which stores their
 * own device token the same way.
 */
export async function signIn(mode: ConnectionMode): Promise<SignInResult> {
  const fragment = takeFragmentToken();
  const ownerToken = fragment.kind === 'token' ? fragment.token : undefined;
  const stored = loadCredential();
  if (stored)
    return { kind: 'signed-in', credential: stored, ...(ownerToken ? { ownerToken } : {}) };
  if (fragment.kind === 'refused') return { kind: 'signed-out', error: OWNER_TOKEN_REFUSED };
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

/**
 * Registers this browser as a new device with the owner token and stores its credential. It is
 * named from its user agent ("Chrome on Linux", "iPhone"); the app then asks, once, for a name
 * of the person's choosing (NameThisDevice), so devices can be told apart.
 */
export async function registerThisBrowser(
  ownerToken: string,
  mode: ConnectionMode,
): Promise<DeviceCredential> {
  const device = await registerDevice(
    window.location.origin,
    ownerToken,
    suggestDeviceName(navigator.userAgent),
    mode,
  );
  const credential = { deviceId: device.deviceId, token: device.token };
  saveCredential(credential);
  markNameUnconfirmed(device.deviceId);
  return credential;
}
