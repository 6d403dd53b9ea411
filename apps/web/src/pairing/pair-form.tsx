import { useState, type FormEvent, type ReactNode } from 'react';
import { redeemPairing } from '@baton/client';
import { saveCredential } from '../sign-in/device-credential.js';
import { sessionPath } from '../routing/location-store.js';
import { suggestDeviceName } from './device-name.js';
import { redeemErrorText } from './redeem-error-text.js';
import { ErrorNotice } from '../shell/error-notice.js';
import { DeviceNameField } from './device-name-field.js';
import { usePairingAttempt } from './use-pairing-attempt.js';
import { HostPairForm } from './host-pair-form.js';
import { isHostLink } from './pairing-fragment.js';

/**
 * Redeems a pairing code for this browser: asks for the code (unless it came in the URL) and a
 * name for the device, stores the device token it gets (its own, never the owner token) like a
 * sign-in, and opens the app, or its one session when the code was for one. A host's pairing
 * link pasted into the code field switches to pairing with that host.
 */
export function PairForm({ initialCode }: { initialCode?: string | undefined }): ReactNode {
  const [code, setCode] = useState(initialCode ?? '');
  const [name, setName] = useState(() => suggestDeviceName(navigator.userAgent));
  const { busy, error, attempt } = usePairingAttempt(redeemErrorText);
  const [paired, setPaired] = useState<string>();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    attempt(() =>
      redeemPairing(window.location.origin, code.trim(), name.trim()).then((device) => {
        saveCredential({ deviceId: device.deviceId, token: device.deviceToken });
        setPaired(device.role);
        // A full load: sign-in starts again and finds the stored credential.
        window.location.replace(device.sessionScope ? sessionPath(device.sessionScope) : '/');
      }),
    );
  };

  // A host's whole pairing link pasted here pairs with that host (its fragment stays here).
  if (isHostLink(code)) return <HostPairForm link={code.trim()} />;
  if (paired)
    return (
      <p role="status" className="notice notice-info pair-done">
        Paired as {paired}. Opening baton…
      </p>
    );
  return (
    <form className="pair-form" onSubmit={submit} aria-label="Pair this device">
      <label>
        Pairing code
        <input
          name="code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          placeholder="XXXXX-XXXXX"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={64}
          required
        />
      </label>
      <DeviceNameField value={name} onChange={setName} />
      <button type="submit" disabled={busy || !code.trim() || !name.trim()}>
        {busy ? 'Pairing…' : 'Pair this device'}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
