import { useState, type ReactNode } from 'react';
import { useDevice } from '@baton/react';
import { Dialog } from '../shell/dialog.js';
import { Menu, type MenuItem } from '../shell/menu.js';
import { RenameDeviceForm } from './rename-device-form.js';

/**
 * This device in the header: its name, and a menu to rename it (any device may rename itself)
 * or open the devices page. `extra` adds entries (the phone's session bar puts the pages there).
 */
export function DeviceMenu({ extra = [] }: { extra?: readonly MenuItem[] }): ReactNode {
  const device = useDevice();
  const [renaming, setRenaming] = useState(false);
  if (!device) return null;
  return (
    <>
      <Menu
        label={`This device: ${device.name}`}
        className="device-menu"
        items={[
          { label: 'Rename this device…', onSelect: () => setRenaming(true) },
          { label: 'All devices', href: '/devices' },
          ...extra,
        ]}
      >
        <span className="device-menu-name">{device.name}</span>
      </Menu>
      {renaming ? <RenameDeviceDialog onClose={() => setRenaming(false)} /> : null}
    </>
  );
}

/** The rename form for this device, in a dialog. */
export function RenameDeviceDialog({ onClose }: { onClose: () => void }): ReactNode {
  return (
    <Dialog title="Rename this device" onClose={onClose}>
      <RenameDeviceForm onDone={onClose} />
    </Dialog>
  );
}
