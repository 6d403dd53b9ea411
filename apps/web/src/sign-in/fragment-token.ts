/**
 * Takes the owner token from a `#token=…` fragment (the URL `baton serve` prints) and removes
 * the fragment from the address bar and history at once, so the owner token is not left in
 * bookmarks, history or screenshots. Returns undefined when the fragment has no token.
 */
export function takeFragmentToken(location: Location = window.location): string | undefined {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (!hash) return undefined;
  const params = new URLSearchParams(hash);
  const token = params.get('token')?.trim();
  if (!token) return undefined;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(
    history.state,
    '',
    location.pathname + location.search + (rest ? `#${rest}` : ''),
  );
  return token;
}
