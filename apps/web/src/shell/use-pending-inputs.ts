import { useSyncExternalStore } from 'react';
import { useBatonClient } from '@baton/react';

/** How many of this device's inputs are not yet acknowledged by the server (pending or sent). */
export function usePendingInputs(): number {
  const { outbox } = useBatonClient();
  const count = (): number =>
    outbox.getSnapshot().filter((e) => e.status === 'pending' || e.status === 'sent').length;
  return useSyncExternalStore(outbox.subscribe, count, count);
}
