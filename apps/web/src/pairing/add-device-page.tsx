import { useState, type FormEvent, type ReactNode } from 'react';
import { createPairing } from '@baton/client';
import { useSessions } from '@baton/react';
import type { PairingCreated, Role } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { useCan } from '../access/use-can.js';
import { Link } from '../routing/link.js';
import { useNow } from '../sessions/use-now.js';
import { useDeviceToken } from '../sign-in/device-context.js';
import { usePairingStatus } from './use-pairing-status.js';
import { ErrorNotice } from '../shell/error-notice.js';

const ROLE_TEXT: Record<Role, string> = {
  viewer: 'Viewer: watches, cannot type or stop',
  editor: 'Editor: types, stops, answers prompts',
  owner: 'Owner: everything, including pairing and revoking',
};

/**
 * "Add a device" (owner): choose the role and optionally one session, then show the QR code,
 * the short code, a countdown to its expiry, the TLS fingerprint when served over https, and
 * "Paired!" as soon as the other device redeemed the code.
 */
export function AddDevicePage(): ReactNode {
  const token = useDeviceToken();
  const allowed = useCan('devices.manage');
  const { sessions } = useSessions();
  const [role, setRole] = useState<Role>('viewer');
  const [sessionId, setSessionId] = useState('');
  const [pairing, setPairing] = useState<PairingCreated>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const status = usePairingStatus(token, pairing?.id);
  const now = useNow(1000);

  if (!allowed)
    return (
      <main className="page">
        <h1>Add a device</h1>
        <p>Only an owner can pair devices. Ask the owner of this baton for a pairing code.</p>
      </main>
    );

  const create = (event: FormEvent): void => {
    event.preventDefault();
    if (!token) return;
    setBusy(true);
    setError(undefined);
    createPairing(window.location.origin, token, {
      role,
      ...(sessionId ? { sessionId } : {}),
    }).then(
      (p) => {
        setBusy(false);
        setPairing(p);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  const left = pairing ? Math.max(0, Math.ceil((pairing.expiresAt - now) / 1000)) : 0;
  const state = status?.state ?? (pairing && left === 0 ? 'expired' : 'waiting');
  return (
    <main className="page add-device" aria-labelledby="add-device-title">
      <h1 id="add-device-title">Add a device</h1>
      <form className="add-device-form" onSubmit={create}>
        <fieldset disabled={busy}>
          <legend>What may the new device do?</legend>
          {(['viewer', 'editor', 'owner'] as const).map((r) => (
            <label key={r} className="radio">
              <input
                type="radio"
                name="role"
                value={r}
                checked={role === r}
                onChange={() => setRole(r)}
              />
              {ROLE_TEXT[r]}
            </label>
          ))}
          <label>
            Sessions it sees
            <select name="session" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
              <option value="">All sessions</option>
              {sessions.map((s) => (
                <option key={s.id} value={s.id}>
                  Only {s.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{pairing ? 'New code' : 'Show a pairing code'}</button>
        </fieldset>
      </form>
      <ErrorNotice error={error} />
      {pairing ? (
        <section className="pairing" aria-label="Pairing code" data-state={state}>
          {state === 'paired' ? (
            <p role="status" className="notice notice-info paired">
              Paired! {status?.device?.name ?? 'The device'} is now a {pairing.role}.{' '}
              <Link href="/">Back to the sessions</Link>
            </p>
          ) : state === 'expired' ? (
            <p role="status" className="notice notice-error">
              This code expired unused. Choose “New code” for another.
            </p>
          ) : (
            <>
              <img
                className="pairing-qr"
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(pairing.qrSvg)}`}
                alt={`QR code of ${pairing.url}`}
                width={280}
                height={280}
              />
              <p>
                Scan it with the new device’s camera, or open{' '}
                <code>{new URL(pairing.url).origin}/pair</code> there and type:
              </p>
              <p className="pairing-code" aria-label="Pairing code">
                {pairing.code}
              </p>
              <p className="muted" role="timer" aria-live="off">
                Expires in {Math.floor(left / 60)}:{String(left % 60).padStart(2, '0')}; it works
                once.
              </p>
              {pairing.fingerprint ? (
                <p className="fingerprint">
                  Certificate fingerprint (SHA-256), for the new device to check:{' '}
                  <code className="fingerprint-value">{pairing.fingerprint}</code>
                </p>
              ) : null}
              <p className="muted" role="status">
                Waiting for the device…
              </p>
            </>
          )}
        </section>
      ) : null}
    </main>
  );
}
