import { useState, type FormEvent, type ReactNode } from 'react';
import { redeemPairing } from '@baton/client';
import { suggestDeviceName } from '../../../web/src/pairing/device-name.js';
import { redeemErrorText } from '../../../web/src/pairing/redeem-error-text.js';
import { ErrorNotice } from '../../../web/src/shell/error-notice.js';
import { DeviceNameField } from '../../../web/src/pairing/device-name-field.js';
import { usePairingAttempt } from '../../../web/src/pairing/use-pairing-attempt.js';
import { saveExtensionCredential } from '../storage/extension-credential.js';
import { readPairingInput } from './pairing-input.js';
import { HostPairForm, type HostPairTarget } from '../../../web/src/pairing/host-pair-form.js';
import { isHostLink } from '../../../web/src/pairing/pairing-fragment.js';

/**
 * Pairs the extension with a baton server: the server's address (or the pairing link a QR
 * carries) and a code, redeemed for the extension's own device token, which is kept in
 * chrome.storage.local. `onPaired` starts the signed-in view.
 *
 * A host's pairing link (`baton host pair`) pasted as the address pairs with that host through
 * its relay instead, as the web app does: the extension becomes a device with its own keys (in
 * the extension's IndexedDB), after the person compared the host's key fingerprint.
 */
export function ExtensionPairForm({ onPaired }: { onPaired: () => void }): ReactNode {
  const [address, setAddress] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState(() => `${suggestDeviceName(navigator.userAgent)} extension`);
  const { busy, error, setError, attempt } = usePairingAttempt(redeemErrorText);

  if (isHostLink(address)) {
    const target: HostPairTarget = {
      pageOrigin: undefined,
      credential: undefined,
      onPaired: async (done) => {
        await saveExtensionCredential({
          server: done.relayOrigin,
          deviceId: done.credential.deviceId,
          token: done.credential.token,
        });
        onPaired();
      },
    };
    return <HostPairForm link={address.trim()} target={target} />;
  }

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const input = readPairingInput(address, code);
    if (!input.ok) {
      setError(input.problem);
      return;
    }
    attempt(() =>
      redeemPairing(input.server, input.code, name.trim())
        .then((device) =>
          saveExtensionCredential({
            server: input.server,
            deviceId: device.deviceId,
            token: device.deviceToken,
          }),
        )
        .then(onPaired),
    );
  };

  return (
    <form className="pair-form" onSubmit={submit} aria-label="Pair this extension">
      <label>
        baton address or pairing link
        <input
          name="server"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          placeholder="http://127.0.0.1:7777"
          spellCheck={false}
          autoComplete="url"
          maxLength={2000}
          required
        />
      </label>
      <label>
        Pairing code
        <input
          name="code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          placeholder="XXXXX-XXXXX (in the link already? leave empty)"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={64}
        />
      </label>
      <DeviceNameField value={name} onChange={setName} />
      <button type="submit" disabled={busy || !address.trim() || !name.trim()}>
        {busy ? 'Pairing…' : 'Pair the extension'}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
