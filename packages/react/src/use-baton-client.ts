import { useContext } from 'react';
import type { BatonClient } from '@baton/client';
import { BatonContext } from './baton-context.js';

/** The `BatonClient` of the nearest `BatonProvider`; throws outside one. */
export function useBatonClient(): BatonClient {
  const client = useContext(BatonContext);
  if (!client) {
    throw new Error('useBatonClient must be used inside <BatonProvider>: wrap the app root in it');
  }
  return client;
}
