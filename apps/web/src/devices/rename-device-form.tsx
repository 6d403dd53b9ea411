import { useState, type FormEvent, type ReactNode } from 'react';
import { useDevice } from '@baton/react';
import { errorText } from '../error-text.js';
import { useDeviceId } from '../sign-in/device-context.js';
import { useApi } from './api-context.js';
import { ErrorNotice } from '../shell/error-notice.js';

/**
 * Renames this device (`PATCH /api/devices/<own id>`, which any device may do for itself). The
 * new name reaches every window at once: this device's through `device.changed`, the others'
 * through presence and the device directory.
 */
export function RenameDeviceForm({
  initial,
  onDone,
  submitLabel = 'Save name',
  cancelLabel = 'Cancel',
  hint = true,
}: {
  /** The name to start from; this device's current name when not given. */
  initial?: string | undefined;
  onDone: () => void;
  submitLabel?: string;
  cancelLabel?: string;
  /** Whether to say where the name shows (the caller may say it already). */
  hint?: boolean;
}): ReactNode {
  const api = useApi();
  const deviceId = useDeviceId();
  const device = useDevice();
  const [name, setName] = useState(initial ?? device?.name ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!deviceId) return;
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `/api/devices/${encodeURIComponent(deviceId)}`, { name: name.trim() });
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="rename-device" onSubmit={(e) => void submit(e)}>
      <label>
        Device name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          autoComplete="off"
          placeholder="Work laptop, iPhone…"
        />
      </label>
      {hint ? (
        <p className="muted">
          Other devices see this name on what this device writes, stops or answers.
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !name.trim()}>
          {submitLabel}
        </button>
        <button type="button" onClick={onDone}>
          {cancelLabel}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
