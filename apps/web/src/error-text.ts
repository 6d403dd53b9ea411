import { BatonError } from '@baton/client';

/** A message for the user from anything thrown: the server's message names what to change. */
export function errorText(error: unknown): string {
  if (error instanceof BatonError) {
    if (error.code === 'disconnected' || error.code === 'closed') {
      return 'Not connected to baton: try again once the connection is back.';
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
