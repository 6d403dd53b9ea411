import type { ReactNode } from 'react';
import type { Attachment } from '@baton/protocol';

/**
 * Who is attached to the session right now: one group per device, one line per window with its
 * mode, read-only flag and since when. Comes from the server's presence frames (not the log), so
 * it changes as windows open and close anywhere.
 */
export function DevicesPanel({
  attached,
  myConnectionId,
  myDeviceId,
  live,
  unlisted = 0,
}: {
  attached: readonly Attachment[];
  myConnectionId: string | undefined;
  myDeviceId: string | undefined;
  /** Whether this window is attached; presence is unknown otherwise. */
  live: boolean;
  /** Windows attached beyond the listed ones: the server lists a session's first 50. */
  unlisted?: number;
}): ReactNode {
  const devices = new Map<string, { name: string; windows: Attachment[] }>();
  for (const a of attached) {
    const d = devices.get(a.deviceId) ?? { name: a.deviceName, windows: [] };
    d.windows.push(a);
    devices.set(a.deviceId, d);
  }
  return (
    <aside className="devices" aria-labelledby="devices-title">
      <h2 id="devices-title">
        Devices <span className="muted">({devices.size})</span>
      </h2>
      {!live ? (
        <p className="muted">
          Not attached right now: who else is here shows once this window is back.
        </p>
      ) : devices.size === 0 ? (
        <p className="muted">Nobody is attached.</p>
      ) : (
        <ul className="device-list">
          {[...devices.entries()].map(([deviceId, d]) => (
            <li key={deviceId} data-device-id={deviceId}>
              <span className="device-name">
                {d.name}
                {deviceId === myDeviceId ? <span className="muted"> (this browser)</span> : null}
              </span>
              <ul className="window-list">
                {d.windows.map((w) => (
                  <li key={w.connectionId} data-mode={w.mode}>
                    <span className={`mode mode-${w.mode}`}>{w.mode}</span>
                    {w.readOnly ? <span className="badge badge-readonly">read-only</span> : null}
                    {w.connectionId === myConnectionId ? (
                      <span className="muted"> this window</span>
                    ) : null}
                    <span className="muted">
                      {' '}
                      since{' '}
                      <time dateTime={new Date(w.since).toISOString()}>
                        {new Date(w.since).toLocaleTimeString()}
                      </time>
                    </span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {live && unlisted > 0 ? (
        <p className="muted devices-unlisted">
          And {unlisted} more {unlisted === 1 ? 'window' : 'windows'} not listed: only a
          session&apos;s first 50 are shown.
        </p>
      ) : null}
    </aside>
  );
}
