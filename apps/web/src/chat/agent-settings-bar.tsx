import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { AgentState } from '@baton/client';
import type { SessionKind } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { ErrorNotice } from '../shell/error-notice.js';

/** The permission modes (Claude) and approval policies (Codex) a session can switch to. */
const MODES: Partial<Record<SessionKind, readonly string[]>> = {
  claude: ['default', 'acceptEdits', 'plan', 'auto', 'dontAsk', 'bypassPermissions'],
  codex: ['untrusted', 'on-failure', 'on-request', 'never'],
};

/**
 * The agent's model and permission mode, above the composer, with a form to change them from
 * the next turn (`changeAgentSettings`). The values shown come from the log, so every device
 * shows the same ones as soon as the change's event arrives; a refusal shows here.
 */
export function AgentSettingsBar({
  sessionId,
  kind,
  agent,
  readOnly,
}: {
  sessionId: string;
  kind: SessionKind;
  agent: AgentState;
  readOnly: boolean;
}): ReactNode {
  const client = useBatonClient();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [model, setModel] = useState('');
  const [mode, setMode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const modes = MODES[kind] ?? [];

  const open = (): void => {
    setModel(agent.model ?? '');
    setMode(agent.permissionMode ?? '');
    setError(undefined);
    setEditing(true);
  };

  const apply = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const change: { model?: string; permissionMode?: string } = {};
    if (model.trim() && model.trim() !== agent.model) change.model = model.trim();
    if (mode && mode !== agent.permissionMode) change.permissionMode = mode;
    if (change.model === undefined && change.permissionMode === undefined) {
      setEditing(false);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await client.changeAgentSettings(sessionId, change);
      setEditing(false);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="agent-settings">
      <p className="agent-settings-now muted">
        Model <strong>{agent.model ?? 'default'}</strong> · Mode{' '}
        <strong>{agent.permissionMode ?? 'default'}</strong>
        {!readOnly && !editing ? (
          <button type="button" className="link-button" onClick={open}>
            Change
          </button>
        ) : null}
      </p>
      {editing ? (
        <form className="agent-settings-form" onSubmit={(e) => void apply(e)}>
          <label htmlFor={`${id}-model`}>Model</label>
          <input
            id={`${id}-model`}
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder="default"
            autoComplete="off"
            spellCheck={false}
          />
          <label htmlFor={`${id}-mode`}>Permission mode</label>
          <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.target.value)}>
            {mode === '' ? <option value="">default</option> : null}
            {modes.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Applying…' : 'Apply from next turn'}
          </button>
          <button type="button" onClick={() => setEditing(false)} disabled={busy}>
            Cancel
          </button>
        </form>
      ) : null}
      <ErrorNotice error={error} />
    </div>
  );
}
