import { useState, type ReactNode } from 'react';
import './session-bar.css';
import { useDevice } from '@baton/react';
import type { Attachment, SessionInfo } from '@baton/protocol';
import { canReadAudit } from '../audit/audit-page.js';
import { RenameDeviceDialog } from '../devices/device-menu.js';
import { useServerSettings } from '../devices/use-server-settings.js';
import { Link } from '../routing/link.js';
import { navigate } from '../routing/location-store.js';
import { SessionActions } from '../sessions/session-actions.js';
import { StatusBadge } from '../sessions/status-badge.js';
import { ConnectionIndicator } from '../shell/connection-indicator.js';
import { Menu, type MenuItem } from '../shell/menu.js';
import { AttentionBadge } from './attention-badge.js';
import { PresenceAvatars } from './presence-avatars.js';
import { UsageBadge } from './usage-badge.js';

/**
 * The open session's bar: back, name, kind, status, whether it needs you, who is here (initials;
 * they open the devices panel) and "⋯" with the session's actions. On a phone (`oneBar`) it is
 * the page's only bar: it also holds the connection status, and its menu the rest of the app's
 * header (renaming this device, the pages), so the session keeps the screen.
 */
export function SessionHeader({
  info,
  sessionId,
  attached,
  unlisted = 0,
  myDeviceId,
  live,
  devicesOpen,
  onDevicesToggle,
  oneBar,
  deleted = false,
}: {
  info: SessionInfo | undefined;
  sessionId: string;
  attached: readonly Attachment[];
  /** Windows attached beyond the ones presence lists (the server lists the first 50). */
  unlisted?: number;
  myDeviceId: string | undefined;
  /** Whether this window is attached (presence is known). */
  live: boolean;
  devicesOpen: boolean;
  onDevicesToggle: () => void;
  oneBar: boolean;
  /**
   * The session was deleted (from this or another window): its last known status is no longer
   * true, so none is shown, and nothing is offered that acts on it.
   */
  deleted?: boolean;
}): ReactNode {
  const extra = usePhoneMenu(oneBar);
  return (
    <header className="session-header">
      <div className="session-bar">
        <Link href="/" className="back" aria-label="Back to sessions">
          ← <span className="back-text">Sessions</span>
        </Link>
        <h1 title={info?.name}>{info?.name ?? 'Session'}</h1>
        {info ? <span className="kind">{info.kind}</span> : null}
        {deleted ? (
          <span className="badge badge-deleted" data-status="deleted">
            deleted
          </span>
        ) : info ? (
          <StatusBadge status={info.status} reason={info.reason} degraded={info.degraded} />
        ) : null}
        {deleted ? null : <AttentionBadge attention={info?.attention} />}
        <UsageBadge usage={info?.usage} />
        <span className="bar-spacer" />
        <PresenceAvatars
          attached={attached}
          unlisted={unlisted}
          myDeviceId={myDeviceId}
          live={live}
          expanded={devicesOpen}
          onToggle={onDevicesToggle}
        />
        {oneBar ? <ConnectionIndicator sessionId={sessionId} /> : null}
        {info && !deleted ? (
          <SessionActions
            session={info}
            label="Session actions"
            onDeleted={() => navigate('/', { replace: true })}
            extra={extra.items}
          />
        ) : (
          <Menu label="Session actions" items={extra.items} />
        )}
        {extra.dialog}
      </div>
      {info?.reason && (info.status === 'failed' || info.status === 'exited') ? (
        <p className={`notice ${info.status === 'failed' ? 'notice-error' : 'notice-info'}`}>
          {info.reason}
        </p>
      ) : null}
    </header>
  );
}

/** On a phone, what the hidden app bar offered: rename this device and the pages. */
function usePhoneMenu(oneBar: boolean): { items: MenuItem[]; dialog: ReactNode } {
  const device = useDevice();
  const { settings } = useServerSettings();
  const [renaming, setRenaming] = useState(false);
  if (!oneBar) return { items: [], dialog: null };
  const items: MenuItem[] = [
    {
      label: device ? `Rename this device (${device.name})…` : 'Rename this device…',
      onSelect: () => setRenaming(true),
    },
    { label: 'All sessions', href: '/' },
    { label: 'Devices', href: '/devices' },
  ];
  if (device?.role === 'owner' && device.sessionScope === undefined)
    items.push({ label: 'Add a device', href: '/add-device' });
  if (canReadAudit(device?.role, settings?.auditReadRole))
    items.push({ label: 'Audit', href: '/audit' });
  return {
    items,
    dialog: renaming ? <RenameDeviceDialog onClose={() => setRenaming(false)} /> : null,
  };
}
