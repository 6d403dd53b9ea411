import type { BroadcastChannelLike } from '@baton/client';

/**
 * The channel the windows of this browser profile share for one device on one server (the
 * origin scopes a BroadcastChannel to the server; the name scopes it to the device). Undefined
 * where the browser has none: each window then learns the others' changes from the server.
 */
export function openTabChannel(deviceId: string): BroadcastChannelLike | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  return new BroadcastChannel(`baton.tabs.${deviceId}`);
}
