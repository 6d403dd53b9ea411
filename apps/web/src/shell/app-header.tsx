import type { ReactNode } from 'react';
import { Link } from '../routing/link.js';
import { ConnectionIndicator } from './connection-indicator.js';

/** The bar on every page: the app name (home), the connection status and this window's mode. */
export function AppHeader({
  sessionId,
  mode,
}: {
  sessionId: string | undefined;
  mode: string;
}): ReactNode {
  return (
    <header className="app-header">
      <Link href="/" className="brand" aria-label="baton: all sessions">
        <img src="/icons/icon.svg" alt="" width={24} height={24} />
        <span>baton</span>
      </Link>
      <span className="muted window-mode" title="How this window appears to other devices">
        {mode}
      </span>
      <ConnectionIndicator sessionId={sessionId} />
    </header>
  );
}
