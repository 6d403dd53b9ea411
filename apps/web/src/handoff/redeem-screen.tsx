import { useState, type FormEvent, type ReactNode } from 'react';
import { loadCredential, saveCredential } from '../sign-in/device-credential.js';
import { suggestDeviceName } from '../pairing/device-name.js';
import { ApiError, resumeHandoff } from './handoff-api.js';
import type { HandoffLink } from './handoff-fragment.js';

/** The heading for a refused handoff link: what happened, in the user's words. */
function refusalTitle(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'already_used') return 'This handoff link was already used';
    if (error.code === 'expired') return 'This handoff link expired';
    if (error.code === 'not_found') return 'This handoff link is not valid';
    if (error.code === 'rate_limited') return 'Too many attempts';
    if (error.code === 'forbidden') return 'This device cannot receive this handoff';
  }
  return 'The handoff failed';
}

/**
 * The page a handoff link opens: the user names this device (or, signed in already, receives
 * the session on this browser's device), the link is redeemed, the device's token is stored and
 * the session opens. A refused link says why and what to do.
 */
export function RedeemScreen({ link }: { link: HandoffLink }): ReactNode {
  const signedIn = loadCredential() !== undefined;
  // The same suggestion as pairing and sign-in ("iPhone", "Pixel 8", "Chrome on Linux").
  const [name, setName] = useState(() => suggestDeviceName(navigator.userAgent));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    resumeHandoff(link.sessionId, link.token, name.trim() || 'device').then(
      (resumed) => {
        if (resumed.deviceToken)
          saveCredential({ deviceId: resumed.deviceId, token: resumed.deviceToken });
        // A fresh start signs in with the stored credential and opens the session.
        window.location.replace(`/s/${encodeURIComponent(link.sessionId)}`);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  return (
    <main className="page redeem-handoff">
      <h1>Open a handed-off session</h1>
      {error !== undefined ? (
        <div className="notice notice-error" role="alert" data-testid="handoff-error">
          <strong>{refusalTitle(error)}.</strong>{' '}
          {error instanceof Error ? error.message : String(error)}
        </div>
      ) : null}
      <form onSubmit={submit}>
        {signedIn ? (
          <p>This browser is signed in to baton: the session is handed to this device.</p>
        ) : (
          <label>
            Name this device
            <input
              value={name}
              maxLength={200}
              required
              onChange={(e) => setName(e.target.value)}
            />
          </label>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Opening…' : 'Open the session'}
        </button>
      </form>
    </main>
  );
}
