import { useState, type FormEvent, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { SessionKind } from '@baton/protocol';
import { navigate, sessionPath } from '../routing/location-store.js';
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
        ...(cwd.trim() ? { config: { cwd: cwd.trim() } } : {}),
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
        <button type="submit" className="primary" disabled={disabled || busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
