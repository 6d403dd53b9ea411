import { useSyncExternalStore } from 'react';

/**
 * One MediaQueryList per query for the page's life, with its last answer. `matchMedia` makes a
 * new list and evaluates it (which may bring style and layout up to date) on every call, and
 * React reads a store's snapshot at least twice per render: read from here, a render costs
 * nothing. The answer is kept current by the list's own `change` event.
 */
const queries = new Map<string, { list: MediaQueryList; matches: boolean }>();

function entry(query: string): { list: MediaQueryList; matches: boolean } {
  let found = queries.get(query);
  if (!found) {
    const list = window.matchMedia(query);
    const created = { list, matches: list.matches };
    list.addEventListener('change', (event) => {
      created.matches = event.matches;
    });
    queries.set(query, created);
    found = created;
  }
  return found;
}

/** Whether a media query matches, kept current (colour scheme, reduced motion, display mode). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (listener) => {
      const { list } = entry(query);
      list.addEventListener('change', listener);
      return () => list.removeEventListener('change', listener);
    },
    () => entry(query).matches,
  );
}
