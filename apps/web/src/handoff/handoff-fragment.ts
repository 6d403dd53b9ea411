/** A handoff link's token and the session it is for, taken from the address bar. */
export interface HandoffLink {
  readonly sessionId: string;
  readonly token: string;
}

/**
 * Takes the token from a `/s/<id>#handoff=…` address and removes the fragment from the address
 * bar and history at once, so the single-use token is not left in bookmarks or history. Runs
 * once per page load, before sign-in (the fragment must be consumed exactly once).
 */
export function takeHandoffFragment(location: Location = window.location): HandoffLink | undefined {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (!hash) return undefined;
  const params = new URLSearchParams(hash);
  const token = params.get('handoff')?.trim();
  if (!token) return undefined;
  params.delete('handoff');
  const rest = params.toString();
  history.replaceState(
    history.state,
    '',
    location.pathname + location.search + (rest ? `#${rest}` : ''),
  );
  const match = /^\/s\/([^/]+)\/?$/.exec(location.pathname);
  if (!match?.[1]) return undefined;
  return { sessionId: decodeURIComponent(match[1]), token };
}
