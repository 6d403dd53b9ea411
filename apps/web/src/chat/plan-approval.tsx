import { useId, useState, type ReactNode } from 'react';
import type { ToolPermission } from './chat-model.js';
import { ErrorNotice } from '../shell/error-notice.js';
import { MarkdownView } from './markdown-view.js';
import { byWhom, usePermissionAnswer } from './use-permission-answer.js';

/**
 * The agent's plan (Claude Code's ExitPlanMode) and its approval, on every device: Approve lets
 * the agent leave plan mode and carry the plan out; Keep planning sends it back with feedback,
 * which the agent gets. As for any permission, the first answer from any device wins and every
 * device then shows who decided.
 */
export function PlanApproval({
  sessionId,
  plan,
  permission,
  readOnly,
  who,
}: {
  sessionId: string;
  plan: string;
  permission: ToolPermission | undefined;
  readOnly: boolean;
  who: (deviceId: string | undefined) => string;
}): ReactNode {
  const id = useId();
  const [revising, setRevising] = useState(false);
  const [feedback, setFeedback] = useState('');
  const { answer, busy, error } = usePermissionAnswer(sessionId, permission?.requestId ?? '');
  const resolution = permission?.resolution;
  return (
    <section className="plan" aria-labelledby={`${id}-t`}>
      <h4 id={`${id}-t`}>Plan</h4>
      <div className="plan-text">
        {plan ? (
          <MarkdownView text={plan} streaming={false} />
        ) : (
          <p className="muted">The agent wants to leave plan mode.</p>
        )}
      </div>
      {!permission ? null : resolution ? (
        <p
          className={`resolution resolution-${resolution.decision}`}
          data-resolved-by={permission.resolvedBy}
        >
          {resolution.decision === 'allow' ? 'Plan approved' : 'Sent back for more planning'}{' '}
          {byWhom(permission.resolvedBy, who)}
          {resolution.decision === 'deny' && resolution.message ? `: ${resolution.message}` : '.'}
        </p>
      ) : readOnly ? (
        <p className="muted">Waiting for a device that can write to approve it.</p>
      ) : revising ? (
        <div className="permission-actions">
          <label className="permission-reason">
            What should change? <span className="muted">(told to the agent)</span>
            <textarea
              value={feedback}
              onChange={(e) => setFeedback(e.target.value)}
              maxLength={10_000}
              rows={3}
              autoFocus
            />
          </label>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void answer(
                feedback.trim()
                  ? { decision: 'deny', message: feedback.trim() }
                  : { decision: 'deny', message: 'Keep planning.' },
              )
            }
          >
            Send back
          </button>
          <button type="button" onClick={() => setRevising(false)}>
            Back
          </button>
        </div>
      ) : (
        <div className="permission-actions">
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void answer({ decision: 'allow' })}
          >
            Approve plan
          </button>
          <button type="button" onClick={() => setRevising(true)}>
            Keep planning…
          </button>
        </div>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
