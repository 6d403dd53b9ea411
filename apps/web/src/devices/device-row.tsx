import { useState, type FormEvent, type ReactNode } from 'react';
import type { DeviceListing, Role } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { relativeTime } from '../sessions/relative-time.js';
import { useApi } from './api-context.js';

const ROLES: readonly Role[] = ['owner', 'editor', 'viewer'];

/**
 * One device: name, role, modes, last seen, online. The owner may rename it, change its role
 * and revoke it; any device may rename itself. Controls a role may not use are not shown (the
 * server refuses them anyway).
 */
export function DeviceRow({
  device,
  isMe,
  canManage,
  now,
  onChanged,
}: {
  device: DeviceListing;
  isMe: boolean;
  canManage: boolean;
  now: number;
  onChanged: () => void;
}): ReactNode {
  const api = useApi();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(device.name);
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const path = `/api/devices/${encodeURIComponent(device.id)}`;
  const fixed = device.builtIn === true || device.revoked;
  const canRename = !fixed && (canManage || isMe);
  const canChangeRole = !fixed && canManage && !isMe;

  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onChanged();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const rename = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (await run(() => api('PATCH', path, { name: name.trim() }))) setRenaming(false);
  };

  const status = device.revoked
    ? 'revoked'
    : device.online > 0
      ? `online${device.online > 1 ? ` (${device.online} windows)` : ''}`
      : 'offline';
  return (
    <tr
      data-device-id={device.id}
      data-role={device.role}
      className={device.revoked ? 'revoked' : ''}
    >
      <th scope="row">
        {renaming ? (
          <form className="inline-form" onSubmit={(e) => void rename(e)}>
            <label className="visually-hidden" htmlFor={`device-name-${device.id}`}>
              New name for {device.name}
            </label>
            <input
              id={`device-name-${device.id}`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={200}
              autoFocus
              onKeyDown={(e) => {
                if (e.key === 'Escape') setRenaming(false);
              }}
            />
            <button type="submit" disabled={busy || !name.trim()}>
              Save
            </button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            <span className="device-name">{device.name}</span>
            {isMe ? <span className="muted"> (this device)</span> : null}
            {device.builtIn ? <span className="muted"> (owner token)</span> : null}
          </>
        )}
      </th>
      <td>
        {canChangeRole ? (
          <>
            <label className="visually-hidden" htmlFor={`device-role-${device.id}`}>
              Role of {device.name}
            </label>
            <select
              id={`device-role-${device.id}`}
              value={device.role}
              disabled={busy}
              onChange={(e) => void run(() => api('PATCH', path, { role: e.target.value }))}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </>
        ) : (
          <span className={`role-badge role-${device.role}`}>{device.role}</span>
        )}
        {Object.entries(device.sessionRoles).map(([sessionId, role]) => (
          <span key={sessionId} className="muted session-role">
            {' '}
            {role} on {sessionId}
          </span>
        ))}
        {device.sessionScope !== undefined ? (
          <span className="muted"> only {device.sessionScope}</span>
        ) : null}
      </td>
      <td>{device.modes.length > 0 ? device.modes.join(', ') : '–'}</td>
      <td>
        {device.builtIn && device.online > 0 ? (
          'now'
        ) : (
          <time dateTime={new Date(device.lastSeenAt).toISOString()}>
            {relativeTime(device.lastSeenAt, now)}
          </time>
        )}
      </td>
      <td data-status={status}>{status}</td>
      <td className="actions">
        {canRename && !renaming ? (
          <button
            type="button"
            onClick={() => {
              setName(device.name);
              setRenaming(true);
            }}
            aria-label={`Rename ${device.name}`}
          >
            Rename
          </button>
        ) : null}
        {canManage && !fixed ? (
          confirmRevoke ? (
            <>
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => void run(() => api('DELETE', path))}
              >
                Revoke {device.name}
              </button>
              <button type="button" onClick={() => setConfirmRevoke(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button
              type="button"
              className="danger-outline"
              onClick={() => setConfirmRevoke(true)}
              aria-label={`Revoke ${device.name}`}
            >
              Revoke
            </button>
          )
        ) : null}
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
