import { useId, useState, type ReactNode } from 'react';
import type { PermissionDecision } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { formatJson } from './format-json.js';
import type { ToolPermission } from './chat-model.js';
import { ErrorNotice } from '../shell/error-notice.js';
import { byWhom, usePermissionAnswer } from './use-permission-answer.js';

/**
 * The permission part of a tool card, shown on every device: Allow once, Allow for this
 * session (the agent stops asking about calls like this one), Deny with an optional reason
 * (told to the agent), and Edit input for a careful user. The first answer from any device
 * wins; a late answer shows the server's "already resolved", and the log's resolution, with
 * the device that gave it, replaces the buttons everywhere.
 */
export function PermissionPrompt({
  sessionId,
  permission,
  input,
  readOnly,
  who,
}: {
  sessionId: string;
  permission: ToolPermission;
  input: unknown;
  readOnly: boolean;
  who: (deviceId: string | undefined) => string;
}): ReactNode {
  const id = useId();
  const [mode, setMode] = useState<'ask' | 'edit' | 'deny'>('ask');
  const [edited, setEdited] = useState(() => formatJson(input));
  const [denyMessage, setDenyMessage] = useState('');
  const { resolution, requestId } = permission;
  const { answer, busy, error, setError } = usePermissionAnswer(sessionId, requestId);

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

  if (resolution) {
    return (
      <div className="permission permission-resolved" data-resolved-by={permission.resolvedBy}>
        <p className={`resolution resolution-${resolution.decision}`}>
          {resolutionText(resolution)} {byWhom(permission.resolvedBy, who)}
          {resolution.decision === 'deny' && resolution.message ? `: ${resolution.message}` : '.'}
        </p>
      </div>
    );
  }
  return (
    <section className="permission permission-open" aria-labelledby={`${id}-t`}>
      <h4 id={`${id}-t`}>Permission needed</h4>
      {permission.description ? <p className="permission-why">{permission.description}</p> : null}
      {readOnly ? (
        <p className="muted">Waiting for an answer from a device that can write.</p>
      ) : mode === 'deny' ? (
        <div className="permission-actions">
          <label className="permission-reason">
            Reason <span className="muted">(optional, told to the agent)</span>
            <input
              value={denyMessage}
              onChange={(e) => setDenyMessage(e.target.value)}
              maxLength={10_000}
              autoFocus
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
      ) : mode === 'edit' ? (
        <div className="permission-actions permission-edit">
          <label className="block">
            Tool input (JSON)
            <textarea
              value={edited}
              onChange={(e) => setEdited(e.target.value)}
              rows={6}
              spellCheck={false}
            />
          </label>
          <button type="button" className="primary" disabled={busy} onClick={allowEdited}>
            Allow edited input
          </button>
          <button type="button" onClick={() => setMode('ask')}>
            Cancel edit
          </button>
        </div>
      ) : (
        <div className="permission-actions">
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void answer({ decision: 'allow', scope: 'once' })}
          >
            Allow once
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void answer({ decision: 'allow', scope: 'session' })}
          >
            Allow for this session
          </button>
          <button type="button" className="danger-outline" onClick={() => setMode('deny')}>
            Deny…
          </button>
          <button type="button" className="link-button" onClick={() => setMode('edit')}>
            Edit input
          </button>
        </div>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

function resolutionText(resolution: PermissionDecision): string {
  if (resolution.decision === 'deny') return 'Denied';
  if (resolution.updatedInput) return 'Allowed with edited input';
  return resolution.scope === 'session' ? 'Allowed for this session' : 'Allowed';
}
