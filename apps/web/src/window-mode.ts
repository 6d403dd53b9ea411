import type { ConnectionMode } from '@baton/protocol';

/** Widest screen, in CSS pixels, that counts as a phone for the installed app. */
const PHONE_MAX_WIDTH = 760;

/**
 * The mode this window declares in its hello: `tab` in a browser tab, `mobile` for the installed
 * app on a phone-sized screen, `desktop` for the installed app otherwise. Shown in presence;
 * never used as identity.
 */
export function detectMode(
  win: Window = window,
): Extract<ConnectionMode, 'tab' | 'mobile' | 'desktop'> {
  const standalone =
    win.matchMedia('(display-mode: standalone)').matches ||
    win.matchMedia('(display-mode: window-controls-overlay)').matches ||
    (win.navigator as Navigator & { standalone?: boolean }).standalone === true;
  if (!standalone) return 'tab';
  return win.matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`).matches ? 'mobile' : 'desktop';
}

/**
 * A label for this window in presence, kept across reloads of the same tab (sessionStorage is
 * per tab) so a reloaded window shows under the same label.
 */
export function windowLabel(mode: ConnectionMode): string {
  const key = 'baton.window';
  let id = sessionStorage.getItem(key);
  if (!id) {
    id = Math.random().toString(36).slice(2, 6);
    sessionStorage.setItem(key, id);
  }
  return `${mode} window ${id}`;
}
