import type { ReactNode } from 'react';
import { HostPairForm } from './host-pair-form.js';
import { PairForm } from './pair-form.js';
import type { PairingFragment } from './pairing-fragment.js';

/**
 * The page a pairing QR code opens (`/pair#code=…`): shows the TLS fingerprint the code came
 * with, so the user can check it against the one `baton pair` or the inviting screen shows, and
 * redeems the code for this device. A host's pairing link (`baton host pair`) pairs this device
 * with that host instead, signed in or not.
 */
export function PairPage({
  fragment,
  signedIn,
}: {
  fragment: PairingFragment;
  signedIn: boolean;
}): ReactNode {
  if (fragment.hostLink)
    return (
      <main className="sign-in pair-page" aria-labelledby="pair-title">
        <img src="/icons/icon.svg" alt="" width={64} height={64} />
        <h1 id="pair-title">Pair this device with a host</h1>
        <HostPairForm link={fragment.hostLink} />
      </main>
    );
  return (
    <main className="sign-in pair-page" aria-labelledby="pair-title">
      <img src="/icons/icon.svg" alt="" width={64} height={64} />
      <h1 id="pair-title">Pair this device with baton</h1>
      {fragment.fingerprint ? (
        <div className="notice notice-info fingerprint">
          <p>
            This server uses its own certificate. Trust it only if the SHA-256 fingerprint your
            browser shows for it (the certificate details) is this one, which came with the code:
          </p>
          <code className="fingerprint-value">{fragment.fingerprint}</code>
          {window.location.protocol !== 'https:' ? (
            <p>This page was not opened over https, so the fingerprint cannot protect it.</p>
          ) : null}
        </div>
      ) : null}
      {signedIn ? (
        <p className="notice notice-info">
          This browser is already signed in to baton. Pairing it replaces that sign-in with the role
          of this code.
        </p>
      ) : null}
      <p>
        Name this device as it should appear in the devices list, then pair. The code works once and
        for 5 minutes.
      </p>
      <PairForm initialCode={fragment.code} />
    </main>
  );
}
