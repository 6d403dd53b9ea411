import { useMemo, useSyncExternalStore } from 'react';
import type { SessionSnapshot } from '@baton/client';
import { useBatonClient } from './use-baton-client.js';
import { placeholderSnapshot, sessionSubscription } from './session-subscription.js';

/** Options of `useSession`. */
export interface UseSessionOptions {
  /** Attach read-only: watch without input, resize or interrupt. Default false. */
  readOnly?: boolean;
}

/**
 * Subscribes to a session while the component is mounted and returns its view: the confirmed
 * log (`base` + `events`), this device's `pending` inputs on top of it, streaming fragments,
 * presence and the subscription `status`. Send input with `useBatonClient().send(...)`.
 *
 * @example
 * const { events, pending, streams, status } = useSession(sessionId);
 */
export function useSession(sessionId: string, options: UseSessionOptions = {}): SessionSnapshot {
  const client = useBatonClient();
  const readOnly = options.readOnly ?? false;
  const { subscribe, getSnapshot } = useMemo(
    () =>
      sessionSubscription(client, sessionId, readOnly, placeholderSnapshot(sessionId, readOnly)),
    [client, sessionId, readOnly],
  );
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
