import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { listHosts } from '@baton/client';
import { useBatonClient, useSessions } from '@baton/react';
import type { SessionHost, SessionKind } from '@baton/protocol';
import { navigate, sessionPath } from '../routing/location-store.js';
import { serverOrigin } from '../server-origin.js';
import { useDeviceToken } from '../sign-in/device-context.js';
import { errorText } from '../error-text.js';
import { ErrorNotice } from '../shell/error-notice.js';

/** Creates a terminal, Claude Code or Codex session and opens it (shown in NewSessionButton's dialog). */
export function CreateSessionForm({
  disabled,
  onCreated,
}: {
  disabled: boolean;
  onCreated?: () => void;
}): ReactNode {
  const client = useBatonClient();
  const [kind, setKind] = useState<SessionKind>('terminal');
  const [name, setName] = useState('');
  const [cwd, setCwd] = useState('');
  const [host, setHost] = useState('');
  // On a relay a session names the machine that runs it. The relay lists its hosts, those
  // without a session too (GET /api/hosts), once per opening of the form; the hosts the
  // session list names are added (their online state is live), and are all an older relay,
  // which has no listing, gives.
  const { sessions } = useSessions();
  const token = useDeviceToken();
  const [listed, setListed] = useState<{ relay: boolean; hosts: SessionHost[] }>();
  useEffect(() => {
    if (!token) return;
    let current = true;
    listHosts(serverOrigin(), token).then(
      (answer) => {
        if (current) setListed(answer);
      },
      () => {
        // An older server, or none reachable: the session list's hosts are what is known.
      },
    );
    return () => {
      current = false;
    };
  }, [token]);
  const hosts = [
    ...new Map<string, SessionHost>([
      ...(listed?.hosts ?? []).map((h) => [h.id, h] as const),
      ...sessions.flatMap((s) => (s.host ? [[s.host.id, s.host] as const] : [])),
    ]).values(),
  ].sort((a, b) => a.name.localeCompare(b.name));
  const onRelay = listed?.relay === true || hosts.length > 0;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await client.createSession({
        kind,
        ...(name.trim() ? { name: name.trim() } : {}),
        config: {
          ...(cwd.trim() ? { cwd: cwd.trim() } : {}),
          ...(host.trim() ? { host: host.trim() } : {}),
        },
      });
      setName('');
      onCreated?.();
      navigate(sessionPath(session.id));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="create-form" onSubmit={(e) => void submit(e)} aria-label="New session">
      <div className="create-fields">
        <label>
          Kind
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as SessionKind)}
            // The form opens on demand (+ New): the first field takes the focus.
            autoFocus
          >
            <option value="terminal">Terminal</option>
            <option value="claude">Claude Code</option>
            <option value="codex">Codex</option>
          </select>
        </label>
        <label>
          <span>
            Name <span className="muted">(optional)</span>
          </span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </label>
        <label>
          <span>
            Working directory <span className="muted">(optional)</span>
          </span>
          <input
            value={cwd}
            onChange={(e) => setCwd(e.target.value)}
            placeholder="server default"
          />
        </label>
        {onRelay && (
          <label>
            Host
            <input
              value={host}
              onChange={(e) => setHost(e.target.value)}
              list="relay-hosts"
              placeholder={hosts[0]?.name}
              required
            />
            <datalist id="relay-hosts">
              {hosts.map((h) => (
                <option key={h.id} value={h.name}>
                  {h.online ? 'online' : 'offline'}
                </option>
              ))}
            </datalist>
          </label>
        )}
        <button type="submit" className="primary" disabled={disabled || busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
