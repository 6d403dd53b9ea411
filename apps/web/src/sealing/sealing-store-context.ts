import { createContext, useContext } from 'react';
import type { SealingStore } from '@baton/client';

/** This device's key store for sealed sessions (the one its client opens them with). */
export const SealingStoreContext = createContext<SealingStore | undefined>(undefined);

export function useSealingStore(): SealingStore | undefined {
  return useContext(SealingStoreContext);
}
