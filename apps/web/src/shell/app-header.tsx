import type { ReactNode } from 'react';
import { useRole } from '@baton/react';
import { Link } from '../routing/link.js';
import { ConnectionIndicator } from './connection-indicator.js';

/**
 * The bar on every page: the app name (home), this device's role, "Add a device" for owners,
 * the connection status and this window's mode.
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
      {role ? (
        <span
          className={`badge role-badge role-${role}`}
          data-role={role}
          title={
            sessionScope
              ? `This device is ${role === 'owner' ? 'an' : 'a'} ${role} of one session`
              : `This device is ${role === 'owner' ? 'an' : 'a'} ${role}`
          }
        >
          {role}
        </span>
      ) : null}
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
