import type { ReactNode } from 'react';
import { useDevice } from '@baton/react';

/**
 * This device's name and role, in the header. Follows `device.changed`: when the owner changes
 * this device's role, it shows at once on every window of the device.
 */
export function RoleBadge(): ReactNode {
  const device = useDevice();
  if (!device) return null;
  return (
    <span
      className={`role-badge role-${device.role}`}
      data-testid="my-role"
      data-role={device.role}
      title={`This device, “${device.name}”, is ${device.role === 'owner' ? 'an' : 'a'} ${device.role}`}
    >
      <span className="visually-hidden">This device is </span>
      {device.role}
    </span>
  );
}
