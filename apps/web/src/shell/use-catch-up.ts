import { useMemo, useSyncExternalStore } from 'react';
import { frameBatchedListener, useBatonClient } from '@baton/react';
import type { SessionId } from '@baton/protocol';

/**
 * Whether the shown session is still catching up: its subscription is replaying what this window
 * missed, or its log is behind the head the sessions list reports. Returns how many events are
 * missing (-1 while the subscription has not answered yet, 0 when current). Reads the store of
 * the session page's own subscription; it does not subscribe itself.
 */
export function useCatchUp(sessionId: string | undefined): number {
  const client = useBatonClient();
  const { subscribe, read } = useMemo(() => {
    const read = (): number => {
      if (!sessionId) return 0;
      const store = client.session(sessionId as SessionId);
      if (!store) return 0;
      const snapshot = store.getSnapshot();
      if (snapshot.status === 'subscribing') return -1;
      if (snapshot.status !== 'live') return 0;
      const head = client.sessions.get(sessionId as SessionId)?.headSeq ?? 0;
      return Math.max(0, head - snapshot.lastSeq);
    };
    // The session's store appears once the page subscribes; the sessions list changes with it.
    const subscribe = (listener: () => void): (() => void) => {
      let offStore: (() => void) | undefined;
      let current: unknown;
      const attach = (): void => {
        if (!sessionId) return;
        const store = client.session(sessionId as SessionId);
        if (store === current) return;
        offStore?.();
        offStore = undefined;
        if (store) {
          // The count changes with every replayed event: drawn once per frame while replaying.
          const batched = frameBatchedListener(listener, () => store.catchingUp);
          const off = store.subscribe(batched.notify);
          offStore = () => {
            batched.cancel();
            off();
          };
        }
        current = store;
      };
      attach();
      const offList = client.sessions.subscribe(() => {
        attach();
        listener();
      });
      const timer = setInterval(() => {
        attach();
        listener();
      }, 500);
      return () => {
        clearInterval(timer);
        offList();
        offStore?.();
      };
    };
    return { subscribe, read };
  }, [client, sessionId]);
  return useSyncExternalStore(subscribe, read, read);
}
