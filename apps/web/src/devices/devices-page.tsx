import type { ReactNode } from 'react';
import { useDevice } from '@baton/react';
import { useNow } from '../sessions/use-now.js';
import { DeviceRow } from './device-row.js';
import { useDevices } from './use-devices.js';

/**
 * Every device that may reach this server: its role, the modes it was seen in, when it was last
 * seen, whether it is online. The owner renames, changes roles and revokes here; every other
 * device sees the list read-only and may rename itself ("name this device").
 */
export function DevicesPage(): ReactNode {
  const me = useDevice();
  const { devices, error, reload } = useDevices();
  const now = useNow();
  const canManage = me?.role === 'owner' && me.sessionScope === undefined;
  const active = devices?.filter((d) => !d.revoked) ?? [];
  const revoked = devices?.filter((d) => d.revoked) ?? [];
  return (
    <main className="page devices-page" aria-labelledby="devices-page-title">
      <h1 id="devices-page-title">Devices</h1>
      {me ? (
        <p className="muted">
          This device is “{me.name}”, {me.role === 'owner' ? 'an' : 'a'} {me.role}.{' '}
          {canManage
            ? 'You can rename devices, change their roles and revoke them.'
            : 'Only the owner can change roles or revoke devices; you can rename this device.'}
        </p>
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {devices === undefined ? (
        error ? null : (
          <p className="muted">Loading devices…</p>
        )
      ) : (
        <DeviceTable
          label="Devices"
          devices={active}
          myId={me?.id}
          canManage={canManage}
          now={now}
          onChanged={reload}
        />
      )}
      {revoked.length > 0 ? (
        <details className="revoked-devices">
          <summary>Revoked devices ({revoked.length})</summary>
          <DeviceTable
            label="Revoked devices"
            devices={revoked}
            myId={me?.id}
            canManage={false}
            now={now}
            onChanged={reload}
          />
        </details>
      ) : null}
    </main>
  );
}

function DeviceTable({
  label,
  devices,
  myId,
  canManage,
  now,
  onChanged,
}: {
  label: string;
  devices: Parameters<typeof DeviceRow>[0]['device'][];
  myId: string | undefined;
  canManage: boolean;
  now: number;
  onChanged: () => void;
}): ReactNode {
  return (
    <div className="table-scroll">
      <table className="device-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Modes</th>
            <th scope="col">Last seen</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <DeviceRow
              key={d.id}
              device={d}
              isMe={d.id === myId}
              canManage={canManage}
              now={now}
              onChanged={onChanged}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
