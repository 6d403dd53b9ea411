import type { BatonClient, SessionSnapshot } from '@baton/client';
import type { SessionId } from '@baton/protocol';
import { frameBatchedListener } from './frame-batched-listener.js';

/**
 * The `subscribe` and `getSnapshot` pair for `useSyncExternalStore` that also holds the session
 * subscription: React subscribes after mounting and unsubscribes on unmount (or when the id
 * changes), and the client counts holders, so hooks in many components share one attachment.
 */
export function sessionSubscription(
  client: BatonClient,
  sessionId: string,
  readOnly: boolean,
  placeholder: SessionSnapshot,
): { subscribe: (listener: () => void) => () => void; getSnapshot: () => SessionSnapshot } {
  return {
    subscribe: (listener) => {
      const store = client.subscribe(sessionId, { readOnly });
      // While a replay catches up, React renders at most once per frame, not once per event.
      const batched = frameBatchedListener(listener, () => store.catchingUp);
      const off = store.subscribe(batched.notify);
      return () => {
        batched.cancel();
        off();
        client.unsubscribe(sessionId, { readOnly });
      };
    },
    getSnapshot: () => client.session(sessionId as SessionId)?.getSnapshot() ?? placeholder,
  };
}

/** What a session looks like before its subscription starts. */
export function placeholderSnapshot(sessionId: string, readOnly: boolean): SessionSnapshot {
  return {
    sessionId: sessionId as SessionId,
    status: 'subscribing',
    readOnly,
    info: undefined,
    lastSeq: 0,
    base: undefined,
    events: [],
    firstSeq: 1,
    truncated: false,
    pending: [],
    streams: [],
    presence: [],
    presenceCount: 0,
    error: undefined,
  };
}
