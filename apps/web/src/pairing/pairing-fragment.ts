/** What a pairing URL's fragment carries: `#code=XXXXX-XXXXX&fp=<TLS fingerprint>`. */
export interface PairingFragment {
  readonly code?: string;
  readonly fingerprint?: string;
  /**
   * The whole link when its fragment names a host's keys (`host`, `hk`, `hx`, `ps`: a link from
   * `baton host pair`): read in this page, never sent anywhere.
   */
  readonly hostLink?: string;
}

/**
 * Reads the code (and the TLS fingerprint) from the pairing page's fragment and removes the
 * fragment from the address bar and history at once: the code is a credential until it is used,
 * and must not stay in history, bookmarks or screenshots. Fragments never reach a server.
 */
export function takePairingFragment(location: Location = window.location): PairingFragment {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (!hash) return {};
  const params = new URLSearchParams(hash);
  history.replaceState(history.state, '', location.pathname + location.search);
  const code = params.get('code')?.trim().slice(0, 64);
  const fingerprint = params.get('fp')?.trim().slice(0, 200);
  const hostLink = params.has('hk')
    ? `${location.origin}${location.pathname}${location.search}#${hash}`
    : undefined;
  return {
    ...(code ? { code } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    ...(hostLink ? { hostLink } : {}),
  };
}

/** Whether text typed or pasted into the code field is a whole host pairing link. */
export function isHostLink(text: string): boolean {
  const trimmed = text.trim();
  return /^https?:\/\//.test(trimmed) && /#.*\bhk=/.test(trimmed);
}
