import { useEffect, useState } from 'react';
import { useSealingStore } from './sealing-store-context.js';

/**
 * Whether this device pinned `hostId`'s keys from a pairing link: 'unknown' while the store is
 * read (and for no host), then 'paired' or 'unpaired'. Pinned is not yet opened: the host still
 * has to add the device, and until then the SDK refuses the session's events (no key).
 */
export function useHostPaired(hostId: string | undefined): 'unknown' | 'paired' | 'unpaired' {
  const store = useSealingStore();
  const [state, setState] = useState<{ hostId: string; paired: boolean }>();
  useEffect(() => {
    if (!store || hostId === undefined) return undefined;
    let cancelled = false;
    store.hostKeys(hostId).then(
      (keys) => {
        if (!cancelled) setState({ hostId, paired: keys !== undefined });
      },
      () => {
        if (!cancelled) setState({ hostId, paired: false });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [store, hostId]);
  if (hostId === undefined || state?.hostId !== hostId) return 'unknown';
  return state.paired ? 'paired' : 'unpaired';
}
