import type { ReactNode } from 'react';
import { useDevice, useRole } from '@baton/react';
import { canReadAudit } from '../audit/audit-page.js';
import { DeviceMenu } from '../devices/device-menu.js';
import { RoleBadge } from '../devices/role-badge.js';
import { useServerSettings } from '../devices/use-server-settings.js';
import { Link } from '../routing/link.js';
import { useRoute } from '../routing/use-route.js';
import { ConnectionIndicator } from './connection-indicator.js';

/**
 * The bar on every page (but a session on a phone, which has one bar of its own): the app name
 * (home), the pages (the audit log only for a role that may read it), this device's name (a menu
 * to rename it) and role, this window's mode and the connection status.
 */
export function AppHeader({
  sessionId,
  mode,
}: {
  sessionId: string | undefined;
  mode: string;
}): ReactNode {
  const { role, sessionScope } = useRole();
  return (
    <header className="app-header">
      <Link href="/" className="brand" aria-label="baton: all sessions">
        <img src="/icons/icon.svg" alt="" width={24} height={24} />
        <span>baton</span>
      </Link>
      <AppNav />
      <DeviceMenu />
      <RoleBadge />
      {role === 'owner' && !sessionScope ? (
        <Link href="/add-device" className="add-device-link">
          Add a device
        </Link>
      ) : null}
      <span className="muted window-mode" title="How this window appears to other devices">
        {mode}
      </span>
      <ConnectionIndicator sessionId={sessionId} />
    </header>
  );
}

function AppNav(): ReactNode {
  const route = useRoute();
  const device = useDevice();
  const { settings } = useServerSettings();
  const current = (page: string) => (route.page === page ? ('page' as const) : undefined);
  return (
    <nav className="app-nav" aria-label="Pages">
      <Link href="/" aria-current={current('sessions')}>
        Sessions
      </Link>
      <Link href="/devices" aria-current={current('devices')}>
        Devices
      </Link>
      {canReadAudit(device?.role, settings?.auditReadRole) ? (
        <Link href="/audit" aria-current={current('audit')}>
          Audit
        </Link>
      ) : null}
    </nav>
  );
}
