/**
 * Registers the service worker that keeps the app shell for offline starts. Skipped where
 * service workers are unavailable (plain http on a LAN address is not a secure context).
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without the worker the app still works online; only starting it offline is unavailable.
    });
  });
}
