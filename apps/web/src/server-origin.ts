/**
 * The origin of the baton server this page talks to. The web app is served by baton itself, so
 * it is the page's own origin; the Chrome extension's pages live at `chrome-extension://<id>`
 * and set the paired server's origin once, before anything renders (`setServerOrigin`). Set
 * once per page and never changed after: a page that talks to two servers is not a thing.
 */
let configured: string | undefined;

/** Called once at startup by a page that is not served by baton (the extension). */
export function setServerOrigin(origin: string): void {
  configured = new URL(origin).origin;
}

/** `https://host:port` of the server (no trailing slash). */
export function serverOrigin(): string {
  return configured ?? window.location.origin;
}

/** An absolute URL on the server for `path` (`/api/...`). */
export function serverUrl(path: string): string {
  return new URL(path, serverOrigin()).toString();
}

/** The server's WebSocket address. */
export function serverWebSocketUrl(path: string): string {
  const url = new URL(path, serverOrigin());
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
