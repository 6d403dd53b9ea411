import type { ReactNode } from 'react';
import type { SessionInfo } from '@baton/protocol';

/**
 * What a sealed session shows on a device that holds no key for it: said plainly, with what to
 * do, instead of its content (which this device cannot open, and the relay cannot either).
 */
export function SealedNotice({ info }: { info: SessionInfo }): ReactNode {
  const host = info.host?.name ?? info.sealed?.hostId ?? 'its host';
  return (
    <div className="notice notice-info sealed-notice" role="status">
      <p>
        <strong>Sealed:</strong> this device is not paired with host {host}. Pair it from the host
        with <code>baton host pair</code> and open the link it prints here.
      </p>
      <p className="muted">
        The relay carries this session without being able to read it; only the host&apos;s paired
        devices hold its keys.
      </p>
    </div>
  );
}
