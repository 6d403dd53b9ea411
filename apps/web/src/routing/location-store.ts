/** A route of the app. History routes; the server answers every unknown path with index.html. */
export type Route =
  | { readonly page: 'sessions' }
  /** `sessionId` is what the address holds: an id, or a session's name (see SessionByName). */
  | { readonly page: 'session'; readonly sessionId: string }
  | { readonly page: 'add-device' }
  | { readonly page: 'devices' }
  | { readonly page: 'audit' }
  | { readonly page: 'not-found'; readonly path: string };

const listeners = new Set<() => void>();
let current = parse(window.location.pathname);

window.addEventListener('popstate', () => {
  update();
});

function parse(path: string): Route {
  if (path === '/' || path === '/index.html') return { page: 'sessions' };
  if (path === '/add-device') return { page: 'add-device' };
  if (path === '/devices' || path === '/devices/') return { page: 'devices' };
  if (path === '/audit' || path === '/audit/') return { page: 'audit' };
  const match = /^\/s\/([^/]+)\/?$/.exec(path);
  if (match?.[1]) return { page: 'session', sessionId: decodeSegment(match[1]) };
  return { page: 'not-found', path };
}

/**
 * A path segment as text. A malformed escape (`%E0%A4`) is kept as typed rather than thrown:
 * this runs when the app starts, where a throw would leave a white page.
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function update(): void {
  const next = parse(window.location.pathname);
  if (JSON.stringify(next) === JSON.stringify(current)) return;
  current = next;
  for (const listener of [...listeners]) listener();
}

/** The current route, as an external store for `useSyncExternalStore`. */
export const locationStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot(): Route {
    return current;
  },
};

/** Goes to `path` inside the app without reloading. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  update();
}

/** The app path of a session. */
export function sessionPath(sessionId: string): string {
  return `/s/${encodeURIComponent(sessionId)}`;
}
