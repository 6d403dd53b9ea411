import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { BatonError } from '@baton/client';
import { SealError } from '@baton/seal';
import { loadCredential, saveCredential } from '../sign-in/device-credential.js';
import { pairByLink, readHostLink, type HostLink } from '../sealing/pair-by-link.js';
import { suggestDeviceName } from './device-name.js';
import { redeemErrorText } from './redeem-error-text.js';
import { ErrorNotice } from '../shell/error-notice.js';
import { DeviceNameField } from './device-name-field.js';
import { usePairingAttempt } from './use-pairing-attempt.js';

/**
 * Pairs this browser with a host from the link `baton host pair` printed (its QR opened this
 * page, or the link was pasted): shows the host's key fingerprint from the link, to compare
 * with the one `baton host` printed on that machine, then pairs (docs/security.md, "Pairing a
 * device with a host"). A browser already signed in keeps its device and adds the host.
 */
export function HostPairForm({ link }: { link: string }): ReactNode {
  const [host, setHost] = useState<HostLink>();
  const [name, setName] = useState(() => suggestDeviceName(navigator.userAgent));
  const { busy, error, setError, attempt } = usePairingAttempt(hostLinkErrorText);
  const [paired, setPaired] = useState<string>();
  const [credential] = useState(() => loadCredential());

  useEffect(() => {
    let cancelled = false;
    readHostLink(link).then(
      (read) => {
        if (!cancelled) setHost(read);
      },
      (e: unknown) => {
        if (!cancelled) setError(hostLinkErrorText(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [link]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!host) return;
    attempt(() =>
      pairByLink(host, { name: name.trim(), credential }).then((done) => {
        if (done.newDevice) saveCredential(done.credential);
        setPaired(done.hostId);
        // A full load: sign-in starts again, and the client opens the host's sessions.
        window.location.replace('/');
      }),
    );
  };

  if (paired)
    return (
      <p role="status" className="notice notice-info pair-done">
        Paired with host {paired}. Its sessions open here once the host has added this device.
        Opening baton…
      </p>
    );
  return (
    <form className="pair-form host-pair-form" onSubmit={submit} aria-label="Pair with a host">
      {host ? (
        <div className="notice notice-info fingerprint">
          <p>
            Pairing with host <strong className="host-id">{host.pairing.host.deviceId}</strong>. Its
            sessions are sealed: this relay carries them but cannot read them. Go on only if this
            key fingerprint is the one <code>baton host</code> printed on that machine:
          </p>
          <code className="fingerprint-value host-fingerprint">{host.fingerprint}</code>
        </div>
      ) : null}
      {credential ? null : <DeviceNameField value={name} onChange={setName} />}
      <button type="submit" disabled={busy || !host || !name.trim()}>
        {busy ? 'Pairing…' : 'Pair with this host'}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}

function hostLinkErrorText(error: unknown): string {
  if (error instanceof SealError) return `This pairing link cannot be used: ${error.message}`;
  // The relay's answers about the host say what to do; those about the code are the usual ones.
  if (error instanceof BatonError && /\bhost\b/.test(error.message)) return error.message;
  return redeemErrorText(error);
}
