import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useDevice, useSessions } from '@baton/react';
import { roleAtLeast, type AuditEntry, type AuditPage, type Role } from '@baton/protocol';
import { useApi } from '../devices/api-context.js';
import { useDevices } from '../devices/use-devices.js';
import { useServerSettings } from '../devices/use-server-settings.js';
import { errorText } from '../error-text.js';
import { describeEntry } from './describe-entry.js';

/** How often new entries are asked for while the page is open. */
const FOLLOW_MS = 3_000;
const PAGE = 200;

/**
 * The audit log: every control action with who did it, from which kind of window, with which
 * role, and when; filtered by session and device, newest last, following new entries. The owner
 * decides here who else may read it.
 */
export function AuditView(): ReactNode {
  const api = useApi();
  const me = useDevice();
  const { sessions } = useSessions();
  const { devices } = useDevices();
  const { settings, update } = useServerSettings();
  const [session, setSession] = useState('');
  const [device, setDevice] = useState('');
  const [entries, setEntries] = useState<readonly AuditEntry[]>([]);
  const [next, setNext] = useState(0);
  const [error, setError] = useState<string>();

  const query = useCallback(
    (after: number) => {
      const q = new URLSearchParams({ after: String(after), limit: String(PAGE) });
      if (session) q.set('session', session);
      if (device) q.set('device', device);
      return api<AuditPage>('GET', `/api/audit?${q.toString()}`);
    },
    [api, session, device],
  );

  // A new filter starts over; then new entries are followed.
  useEffect(() => {
    let live = true;
    let after = 0;
    setEntries([]);
    setNext(0);
    const read = async (): Promise<void> => {
      try {
        for (;;) {
          const page = await query(after);
          if (!live) return;
          after = page.next;
          setNext(page.next);
          if (page.entries.length > 0) setEntries((old) => [...old, ...page.entries]);
          setError(undefined);
          if (!page.more) return;
        }
      } catch (err) {
        if (live) setError(errorText(err));
      }
    };
    void read();
    const timer = setInterval(() => void read(), FOLLOW_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [query]);

  const isOwner = me?.role === 'owner';
  return (
    <main className="page audit-page" aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <p className="muted">
        Every control action, with the device, the window mode it came from, its role and the time.
        Keystrokes are grouped into bursts. Entries cannot be changed or deleted.
      </p>
      {isOwner && settings ? (
        <p>
          <label htmlFor="audit-read-role">Who may read the audit log:</label>{' '}
          <select
            id="audit-read-role"
            value={settings.auditReadRole}
            onChange={(e) => void update({ auditReadRole: e.target.value as Role })}
          >
            <option value="owner">owners only</option>
            <option value="editor">editors and owners</option>
            <option value="viewer">every device</option>
          </select>
        </p>
      ) : null}
      <form className="audit-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Session{' '}
          <select value={session} onChange={(e) => setSession(e.target.value)}>
            <option value="">all sessions</option>
            {sessions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Device{' '}
          <select value={device} onChange={(e) => setDevice(e.target.value)}>
            <option value="">all devices</option>
            {(devices ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.revoked ? ' (revoked)' : ''}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {entries.length === 0 && !error ? (
        <p className="empty">No entries{session || device ? ' for this filter' : ''} yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="audit-table" aria-label="Audit log" data-next={next}>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Device</th>
                <th scope="col">Mode</th>
                <th scope="col">Role</th>
                <th scope="col">Action</th>
                <th scope="col">Session</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-action={e.action} data-device-id={e.deviceId}>
                  <td>
                    <time dateTime={new Date(e.at).toISOString()}>
                      {new Date(e.at).toLocaleString()}
                    </time>
                  </td>
                  <td>{e.deviceName}</td>
                  <td>{e.mode}</td>
                  <td>{e.role}</td>
                  <td title={e.action}>{describeEntry(e)}</td>
                  <td>{sessions.find((s) => s.id === e.sessionId)?.name ?? e.sessionId ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

/** Whether this device may open the audit log, by its role and the owner's setting. */
export function canReadAudit(role: Role | undefined, auditReadRole: Role | undefined): boolean {
  return role !== undefined && roleAtLeast(role, auditReadRole ?? 'owner');
}
