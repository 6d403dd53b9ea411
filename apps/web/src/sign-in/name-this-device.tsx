import { useState, type ReactNode } from 'react';
import './name-this-device.css';
import { useDevice } from '@baton/react';
import { RenameDeviceForm } from '../devices/rename-device-form.js';
import { useDeviceId } from './device-context.js';
import { confirmName, isNameUnconfirmed } from './device-name-prompt.js';

/**
 * Right after this browser signed in with the address `baton serve` printed, it was registered
 * under a suggested name ("Chrome on Linux"); this asks, once, for a name the person will
 * recognise on their other devices, or to keep the suggestion. Signing in stays automatic (the
 * session opens at once); the question waits beside it until answered, in every window.
 */
export function NameThisDevice(): ReactNode {
  const deviceId = useDeviceId();
  const device = useDevice();
  const [open, setOpen] = useState(() => deviceId !== undefined && isNameUnconfirmed(deviceId));
  if (!open || !device) return null;
  const done = (): void => {
    confirmName();
    setOpen(false);
  };
  return (
    <section className="name-this-device notice notice-info" aria-labelledby="name-device-title">
      <h2 id="name-device-title">Name this device</h2>
      <p>
        Signed in as “{device.name}”. Other devices show this name on what it writes, stops or
        answers.
      </p>
      <RenameDeviceForm
        initial={device.name}
        onDone={done}
        submitLabel="Use this name"
        cancelLabel={`Keep “${device.name}”`}
        hint={false}
      />
    </section>
  );
}
