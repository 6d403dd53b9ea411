import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { BatonError } from '@baton/client';
import { SealError } from '@baton/seal';
import { loadCredential, saveCredential } from '../sign-in/device-credential.js';
import {
  pairByLink,
  readHostLink,
  type HostLink,
  type PairedByLink,
} from '../sealing/pair-by-link.js';
import type { DeviceCredential } from '../sign-in/device-credential.js';
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
export function HostPairForm({
  link,
  target: given,
}: {
  link: string;
  target?: HostPairTarget;
}): ReactNode {
  const [host, setHost] = useState<HostLink>();
  const [name, setName] = useState(() => suggestDeviceName(navigator.userAgent));
  const { busy, error, setError, attempt } = usePairingAttempt(hostLinkErrorText);
  const [paired, setPaired] = useState<string>();
  const [target] = useState(() => given ?? webAppTarget());
  const credential = target.credential;

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
      pairByLink(host, { name: name.trim(), credential, pageOrigin: target.pageOrigin })
        .then(async (done) => {
          await target.onPaired(done);
          return done;
        })
        .then((done) => setPaired(done.hostId)),
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

/** Where a host link pairs, and what follows: the web app's or the extension's. */
export interface HostPairTarget {
  /** Only links to this relay are taken (the web app's own origin); undefined: any relay. */
  readonly pageOrigin: string | undefined;
  /** The device this browser already is there, which then adds the host; none: a new device. */
  readonly credential: DeviceCredential | undefined;
  onPaired(done: PairedByLink): void | Promise<void>;
}

/** The web app: links to this relay, as the device signed in here, then a fresh start. */
function webAppTarget(): HostPairTarget {
  return {
    pageOrigin: window.location.origin,
    credential: loadCredential(),
    onPaired: (done) => {
      if (done.newDevice) saveCredential(done.credential);
      // A full load: sign-in starts again, and the client opens the host's sessions.
      window.location.replace('/');
    },
  };
}

function hostLinkErrorText(error: unknown): string {
  if (error instanceof SealError) return `This pairing link cannot be used: ${error.message}`;
  // The relay's answers about the host say what to do; those about the code are the usual ones.
  if (error instanceof BatonError && /\bhost\b/.test(error.message)) return error.message;
  return redeemErrorText(error);
}
