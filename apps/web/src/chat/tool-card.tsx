import { useMemo, type ReactNode } from 'react';
import { agentPrompt } from '@baton/client';
import type { ChatItem } from './chat-model.js';
import { DiffView } from './diff-view.js';
import { formatJson } from './format-json.js';
import { PermissionPrompt } from './permission-prompt.js';
import { PlanApproval } from './plan-approval.js';
import { QuestionPrompt } from './question-prompt.js';
import { toolOutputText } from './tool-output.js';
import { summarizeTool, type ToolSummary } from './tool-summary.js';

type ToolItem = Extract<ChatItem, { type: 'tool' }>;

/**
 * A tool call, its permission request and its result as one card: a plain summary first (the
 * path and a diff for an edit, the command for a shell call, the path or pattern for a read or
 * search), the permission buttons while it waits, the output folded away, and the raw JSON
 * only behind Details. A plan to approve (ExitPlanMode) and questions to answer
 * (AskUserQuestion) show as such, with their own answers instead of the permission buttons.
 */
export function ToolCard({
  item,
  sessionId,
  readOnly,
  who,
}: {
  item: ToolItem;
  sessionId: string;
  readOnly: boolean;
  who: (deviceId: string | undefined) => string;
}): ReactNode {
  const summary = useMemo(() => summarizeTool(item.name, item.input), [item.name, item.input]);
  const prompt = useMemo(() => agentPrompt(item.name, item.input), [item.name, item.input]);
  const waiting = item.permission !== undefined && item.permission.resolution === undefined;
  const status = waiting
    ? 'needs you'
    : item.result
      ? item.result.isError
        ? 'error'
        : 'done'
      : item.permission?.resolution?.decision === 'deny'
        ? 'denied'
        : 'running';
  return (
    <div
      className={`msg msg-tool tool-${summary.kind}${item.result?.isError ? ' tool-error' : ''}${waiting ? ' tool-waiting' : ''}`}
      data-tool={item.name}
      data-status={status}
    >
      <div className="tool-head">
        <span className="tool-title">{summary.title}</span>
        <span className={`tool-status tool-status-${status.replace(' ', '-')}`}>{status}</span>
      </div>
      {prompt.kind === 'plan' ? (
        <PlanApproval
          sessionId={sessionId}
          plan={prompt.plan}
          permission={item.permission}
          readOnly={readOnly}
          who={who}
        />
      ) : prompt.kind === 'question' ? (
        <QuestionPrompt
          sessionId={sessionId}
          questions={prompt.questions}
          permission={item.permission}
          readOnly={readOnly}
          who={who}
        />
      ) : (
        <>
          <ToolBody summary={summary} />
          {item.permission ? (
            <PermissionPrompt
              sessionId={sessionId}
              permission={item.permission}
              input={item.input}
              readOnly={readOnly}
              who={who}
            />
          ) : null}
        </>
      )}
      {item.result ? (
        <details className="tool-output">
          <summary>{item.result.isError ? 'Error output' : 'Output'}</summary>
          <pre>{toolOutputText(item.result.output) || '(no output)'}</pre>
        </details>
      ) : null}
      <details className="tool-details">
        <summary>Details</summary>
        <p className="muted">
          Tool <code>{item.name}</code>
        </p>
        <pre className="json">{formatJson(item.input)}</pre>
        {item.result ? <pre className="json">{formatJson(item.result.output)}</pre> : null}
      </details>
    </div>
  );
}

function ToolBody({ summary }: { summary: ToolSummary }): ReactNode {
  switch (summary.kind) {
    case 'edit':
      return (
        <div className="tool-body">
          {summary.files.map((f, i) => (
            <DiffView key={i} edit={f} />
          ))}
        </div>
      );
    case 'command':
      return (
        <div className="tool-body">
          <pre className="tool-command" aria-label="Command">
            <code>{summary.command}</code>
          </pre>
          {summary.cwd ? <p className="muted tool-cwd">in {summary.cwd}</p> : null}
        </div>
      );
    case 'target':
      return (
        <div className="tool-body">
          <code className="tool-target">{summary.target}</code>
          <Fields fields={summary.extra} />
        </div>
      );
    case 'fields':
      return summary.fields.length > 0 ? (
        <div className="tool-body">
          <Fields fields={summary.fields} />
        </div>
      ) : null;
  }
}

function Fields({ fields }: { fields: readonly { name: string; value: string }[] }): ReactNode {
  if (fields.length === 0) return null;
  return (
    <dl className="tool-fields">
      {fields.map((f) => (
        <div key={f.name}>
          <dt>{f.name}</dt>
          <dd>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}
