import type { ReactNode } from 'react';

/**
 * The name a device is paired under, as every pairing form asks for it: the owner sees it in the
 * device list and in presence, so it is required and bounded like the server's check.
 */
export function DeviceNameField({
  value,
  onChange,
}: {
  value: string;
  onChange: (name: string) => void;
}): ReactNode {
  return (
    <label>
      Name of this device
      <input
        name="deviceName"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        maxLength={200}
        required
      />
    </label>
  );
}
