import { useId, useState, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { PermissionDecision } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { formatJson } from './format-json.js';

/**
 * An agent's permission request, shown on every device. Allow, edit the input then allow, or
 * deny (with an optional message). The first answer from any device wins; a late answer shows
 * the server's "already resolved" and the log's resolution replaces the buttons everywhere.
 */
export function PermissionPrompt({
  sessionId,
  requestId,
  toolName,
  input,
  description,
  resolution,
  readOnly,
}: {
  sessionId: string;
  requestId: string;
  toolName: string;
  input: unknown;
  description: string | undefined;
  resolution: PermissionDecision | undefined;
  readOnly: boolean;
}): ReactNode {
  const client = useBatonClient();
  const id = useId();
  const [mode, setMode] = useState<'ask' | 'edit' | 'deny'>('ask');
  const [edited, setEdited] = useState(() => formatJson(input));
  const [denyMessage, setDenyMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const answer = async (decision: PermissionDecision): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await client.answerPermission(sessionId, requestId, decision);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const allowEdited = (): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(edited);
    } catch (err) {
      setError(`The edited input is not valid JSON: ${errorText(err)}`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setError('The edited input must be a JSON object, like the original.');
      return;
    }
    void answer({ decision: 'allow', updatedInput: parsed as Record<string, unknown> });
  };

  return (
    <section
      className={`permission ${resolution ? 'permission-resolved' : 'permission-open'}`}
      aria-labelledby={`${id}-t`}
    >
      <h3 id={`${id}-t`}>
        {resolution ? 'Permission' : 'Permission needed'}: <code>{toolName}</code>
      </h3>
      {description ? <p>{description}</p> : null}
      {mode === 'edit' && !resolution ? (
        <label className="block">
          Tool input (JSON)
          <textarea
            value={edited}
            onChange={(e) => setEdited(e.target.value)}
            rows={6}
            spellCheck={false}
          />
        </label>
      ) : (
        <pre className="json">{formatJson(input)}</pre>
      )}
      {resolution ? (
        <p className={`resolution resolution-${resolution.decision}`}>
          {resolution.decision === 'allow'
            ? resolution.updatedInput
              ? 'Allowed with edited input.'
              : 'Allowed.'
            : `Denied${resolution.message ? `: ${resolution.message}` : '.'}`}
        </p>
      ) : readOnly ? (
        <p className="muted">Waiting for an answer from a device that can write.</p>
      ) : mode === 'deny' ? (
        <div className="permission-actions">
          <label>
            Reason <span className="muted">(optional, told to the agent)</span>
            <input
              value={denyMessage}
              onChange={(e) => setDenyMessage(e.target.value)}
              maxLength={10_000}
            />
          </label>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              void answer(
                denyMessage.trim()
                  ? { decision: 'deny', message: denyMessage.trim() }
                  : { decision: 'deny' },
              )
            }
          >
            Deny
          </button>
          <button type="button" onClick={() => setMode('ask')}>
            Back
          </button>
        </div>
      ) : (
        <div className="permission-actions">
          {mode === 'edit' ? (
            <>
              <button type="button" className="primary" disabled={busy} onClick={allowEdited}>
                Allow edited input
              </button>
              <button type="button" onClick={() => setMode('ask')}>
                Cancel edit
              </button>
            </>
          ) : (
            <>
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => void answer({ decision: 'allow' })}
              >
                Allow
              </button>
              <button type="button" onClick={() => setMode('edit')}>
                Edit input
              </button>
              <button type="button" className="danger-outline" onClick={() => setMode('deny')}>
                Deny…
              </button>
            </>
          )}
        </div>
      )}
      {error ? (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
