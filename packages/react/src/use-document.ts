import { useMemo, useSyncExternalStore } from 'react';
import type { DocumentState } from '@baton/protocol';
import { useBatonClient } from './use-baton-client.js';
import { documentSubscription } from './document-subscription.js';

/**
 * A shared document of a session, live: read once on mount, then kept current by the session's
 * `doc.changed` events (the session is attached read-only while mounted, shared with any
 * `useSession` of it). Undefined until read, or when the session has no such document. Write
 * with `useBatonClient().documents.write`.
 */
export function useDocument(sessionId: string, name: string): DocumentState | undefined {
  const client = useBatonClient();
  const { subscribe, getSnapshot } = useMemo(
    () => documentSubscription(client, sessionId, name),
    [client, sessionId, name],
  );
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
