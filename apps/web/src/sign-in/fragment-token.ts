import { isLoopbackHost } from './loopback.js';

/** What the address bar's `#token=` fragment held. */
export type FragmentToken =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  /** A token on an address that is not loopback: removed and not used. */
  | { readonly kind: 'refused' };

/**
 * Takes the owner token from a `#token=…` fragment (the URL `baton serve` prints) and removes
 * the fragment from the address bar and history at once, so the owner token is not left in
 * bookmarks, history or screenshots. The token is accepted only on a loopback address (the
 * host's own browser); anywhere else it is removed just the same and refused: other devices
 * pair with a short code and get a token of their own.
 */
export function takeFragmentToken(location: Location = window.location): FragmentToken {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (!hash) return { kind: 'none' };
  const params = new URLSearchParams(hash);
  if (!params.has('token')) return { kind: 'none' };
  const token = params.get('token')?.trim();
  params.delete('token');
  const rest = params.toString();
  history.replaceState(
    history.state,
    '',
    location.pathname + location.search + (rest ? `#${rest}` : ''),
  );
  if (!token) return { kind: 'none' };
  return isLoopbackHost(location.hostname) ? { kind: 'token', token } : { kind: 'refused' };
}
