import { useSyncExternalStore } from 'react';
import type { PendingDocumentWrite } from '@baton/client';
import { useBatonClient } from './use-baton-client.js';

/**
 * The document writes this device made offline and the server has not taken yet (this window's
 * and, with cross-tab sync, the other windows'), oldest first: what a view shows on top of
 * `useDocument`, marked pending. A write whose delivery came back with both values
 * (`user_choice`, nobody waiting) stays here with its `conflicts` until someone chooses and
 * calls `documents.dismissPending`.
 */
export function usePendingDocumentWrites(): readonly PendingDocumentWrite[] {
  const store = useBatonClient().documents.pendingWrites();
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
