import { useMemo, useSyncExternalStore } from 'react';
import type { Attachment } from '@baton/protocol';
import { useBatonClient } from './use-baton-client.js';
import { placeholderSnapshot, sessionSubscription } from './session-subscription.js';

const NOBODY: readonly Attachment[] = [];

/**
 * Who is attached to a session right now (connections, their devices and modes). Attaches to
 * the session read-only while mounted (shared with any `useSession` of the same session, which
 * keeps its write access). For presence in a list of sessions, read `attached` from `useSessions`
 * instead, which needs no attachment.
 */
export function usePresence(sessionId: string): readonly Attachment[] {
  const client = useBatonClient();
  const { subscribe, getPresence } = useMemo(() => {
    const sub = sessionSubscription(client, sessionId, true, placeholderSnapshot(sessionId, true));
    return { subscribe: sub.subscribe, getPresence: () => sub.getSnapshot().presence ?? NOBODY };
  }, [client, sessionId]);
  return useSyncExternalStore(subscribe, getPresence, getPresence);
}
