import { useEffect } from 'react';
import type { ConnectionMode } from '@baton/protocol';
import { signIn, type SignInResult } from './sign-in.js';

/**
 * Signs in when a `#token=` fragment arrives without a page load: pasting the address
 * `baton serve` printed into a tab already on the app changes only the fragment, so the browser
 * fires `hashchange` and does not reload (issue 11, bug 4). The token is taken from the address
 * bar at once, as on a page load; `onResult` gets the outcome.
 */
export function useHashSignIn(
  mode: ConnectionMode,
  onResult: (result: SignInResult) => void,
): void {
  useEffect(() => {
    let current = true;
    const changed = (): void => {
      if (!new URLSearchParams(window.location.hash.slice(1)).has('token')) return;
      void signIn(mode).then((result) => {
        if (current) onResult(result);
      });
    };
    window.addEventListener('hashchange', changed);
    return () => {
      current = false;
      window.removeEventListener('hashchange', changed);
    };
  }, [mode, onResult]);
}
