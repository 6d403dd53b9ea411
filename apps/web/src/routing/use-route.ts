import { useSyncExternalStore } from 'react';
import { locationStore, type Route } from './location-store.js';

/** The current route; re-renders on navigation and on back/forward. */
export function useRoute(): Route {
  return useSyncExternalStore(locationStore.subscribe, locationStore.getSnapshot);
}
