import { useId, useState, type ReactNode } from 'react';
import type { AgentQuestion } from '@baton/client';
import type { ToolPermission } from './chat-model.js';
import { ErrorNotice } from '../shell/error-notice.js';
import { byWhom, usePermissionAnswer } from './use-permission-answer.js';

/** What this device chose for one question: option labels, and text of its own. */
interface Choice {
  labels: readonly string[];
  other: string;
}

/**
 * The agent's questions (Claude Code's AskUserQuestion, Codex's request_user_input) with their
 * options, on every device, and answered from any: one option each (several where the question
 * allows), or an answer of one's own (typed out of sight where the agent marked it secret). The answers go to the agent keyed by question (`PermissionDecision.answers`); Decline
 * tells it the person would rather not answer. The first answer from any device wins.
 */
export function QuestionPrompt({
  sessionId,
  questions,
  permission,
  readOnly,
  who,
}: {
  sessionId: string;
  questions: readonly AgentQuestion[];
  permission: ToolPermission | undefined;
  readOnly: boolean;
  who: (deviceId: string | undefined) => string;
}): ReactNode {
  const id = useId();
  const [choices, setChoices] = useState<readonly Choice[]>(() =>
    questions.map(() => ({ labels: [], other: '' })),
  );
  const { answer, busy, error } = usePermissionAnswer(sessionId, permission?.requestId ?? '');
  const resolution = permission?.resolution;
  const open = permission !== undefined && resolution === undefined && !readOnly;
  const answers = answersOf(questions, choices);
  const complete = Object.keys(answers).length === questions.length;

  const choose = (q: number, label: string, multi: boolean): void =>
    setChoices((all) =>
      all.map((c, i) => {
        if (i !== q) return c;
        if (!multi) return { labels: [label], other: '' };
        const has = c.labels.includes(label);
        return { ...c, labels: has ? c.labels.filter((l) => l !== label) : [...c.labels, label] };
      }),
    );
  const write = (q: number, other: string, multi: boolean): void =>
    setChoices((all) =>
      all.map((c, i) => (i !== q ? c : { labels: multi || !other ? c.labels : [], other })),
    );

  return (
    <section className="questions" aria-labelledby={`${id}-t`}>
      <h4 id={`${id}-t`}>{questions.length === 1 ? 'Question' : 'Questions'}</h4>
      {questions.map((q, qi) => {
        const answered =
          resolution?.decision === 'allow' ? resolution.answers?.[q.question] : undefined;
        return (
          <fieldset key={qi} className="question" disabled={!open || busy}>
            <legend>
              {q.header ? <span className="question-header">{q.header}</span> : null}
              {q.question}
            </legend>
            {q.options.map((o) => (
              <label key={o.label} className="question-option">
                <input
                  type={q.multiSelect ? 'checkbox' : 'radio'}
                  name={`${id}-q${qi}`}
                  checked={
                    answered !== undefined
                      ? !q.secret && answered.split(', ').includes(o.label)
                      : choices[qi]?.labels.includes(o.label) === true
                  }
                  onChange={() => choose(qi, o.label, q.multiSelect)}
                />
                <span className="question-label">{o.label}</span>
                {o.description ? <span className="muted"> — {o.description}</span> : null}
              </label>
            ))}
            {open ? (
              <label className="question-other">
                Other <span className="muted">(your own answer)</span>
                <input
                  type={q.secret ? 'password' : 'text'}
                  autoComplete="off"
                  value={choices[qi]?.other ?? ''}
                  onChange={(e) => write(qi, e.target.value, q.multiSelect)}
                  maxLength={10_000}
                />
              </label>
            ) : null}
            {answered !== undefined ? (
              <p className="question-answer">
                Answer: <strong>{q.secret ? 'given (secret)' : answered}</strong>
              </p>
            ) : null}
          </fieldset>
        );
      })}
      {!permission ? null : resolution ? (
        <p
          className={`resolution resolution-${resolution.decision}`}
          data-resolved-by={permission.resolvedBy}
        >
          {resolution.decision === 'allow' ? 'Answered' : 'Declined'}{' '}
          {byWhom(permission.resolvedBy, who)}
          {resolution.decision === 'deny' && resolution.message ? `: ${resolution.message}` : '.'}
        </p>
      ) : readOnly ? (
        <p className="muted">Waiting for an answer from a device that can write.</p>
      ) : (
        <div className="permission-actions">
          <button
            type="button"
            className="primary"
            disabled={busy || !complete}
            onClick={() => void answer({ decision: 'allow', answers })}
          >
            Answer
          </button>
          <button
            type="button"
            className="danger-outline"
            disabled={busy}
            onClick={() =>
              void answer({ decision: 'deny', message: 'The user declined to answer.' })
            }
          >
            Decline
          </button>
        </div>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

/** The answers chosen so far, by question text; a question without any is left out. */
function answersOf(
  questions: readonly AgentQuestion[],
  choices: readonly Choice[],
): Record<string, string> {
  const answers: Record<string, string> = {};
  questions.forEach((q, i) => {
    const c = choices[i];
    const parts = [...(c?.labels ?? []), ...(c?.other.trim() ? [c.other.trim()] : [])];
    if (parts.length > 0) answers[q.question] = parts.join(', ');
  });
  return answers;
}
