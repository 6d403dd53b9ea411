/**
 * Whether `hostname` (as in `location.hostname`) is this computer's own loopback address:
 * `localhost` (and `*.localhost`), 127.0.0.0/8 or `::1`. Only there does the app accept the owner
 * token from a `#token=` URL: that URL is printed for the host's own browser, and the owner
 * token must never be typed, scanned or sent anywhere a network can see it.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}
