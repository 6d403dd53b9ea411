import { BatonError } from '@baton/client';

/** What to tell a person whose pairing code was refused, by the server's error code. */
export function redeemErrorText(error: unknown): string {
  if (!(error instanceof BatonError))
    return `Pairing failed: ${error instanceof Error ? error.message : String(error)}`;
  switch (error.code) {
    case 'not_found':
      return 'baton does not know this code. Check it, or ask for a new one (baton pair, or "Add a device" on a signed-in device).';
    case 'already_used':
      return 'This code was already used: each code pairs one device. Ask for a new one.';
    case 'expired':
      return 'This code expired: codes last 5 minutes. Ask for a new one.';
    case 'rate_limited': {
      const wait = Math.max(1, Math.ceil((error.retryAfterMs ?? 60_000) / 1000));
      return `Too many attempts to pair from here. Wait ${wait} s, then try again.`;
    }
    case 'disconnected':
      return 'baton could not be reached. Check that this device is on the same network (or the address is right), then try again.';
    default:
      return error.message;
  }
}
