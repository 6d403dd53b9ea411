import type { BatonClient } from '@baton/client';
import type { DocumentState } from '@baton/protocol';
import { placeholderSnapshot, sessionSubscription } from './session-subscription.js';

/**
 * The `subscribe` and `getSnapshot` pair of `useDocument`: subscribing attaches to the session
 * read-only (its `doc.changed` events keep the client's copy current) and reads the document
 * once; unsubscribing detaches.
 */
export function documentSubscription(
  client: BatonClient,
  sessionId: string,
  name: string,
): {
  subscribe: (listener: () => void) => () => void;
  getSnapshot: () => DocumentState | undefined;
} {
  const session = sessionSubscription(
    client,
    sessionId,
    true,
    placeholderSnapshot(sessionId, true),
  );
  const documents = client.documents.documents(sessionId);
  return {
    subscribe: (listener) => {
      // The attachment is what brings the events; its own changes are not this hook's.
      const detach = session.subscribe(() => undefined);
      const off = documents.subscribe(listener);
      // A failed read leaves the copy to the events; the next mount reads again.
      client.documents.read(sessionId, name).catch(() => undefined);
      return () => {
        off();
        detach();
      };
    },
    getSnapshot: () => documents.getSnapshot().get(name),
  };
}
