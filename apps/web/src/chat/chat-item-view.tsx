import { memo, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { ChatItem } from './chat-model.js';
import { formatJson } from './format-json.js';
import { renderMarkdown } from './markdown.js';
import { PermissionPrompt } from './permission-prompt.js';

const STATE_LABELS = { pending: 'pending', sent: 'sent', failed: 'failed' } as const;

/** One entry of the transcript. Memoized: items keep their identity while unchanged. */
export const ChatItemView = memo(function ChatItemView({
  item,
  sessionId,
  readOnly,
  deviceName,
}: {
  item: ChatItem;
  sessionId: string;
  readOnly: boolean;
  deviceName: (deviceId: string | undefined) => string;
}): ReactNode {
  switch (item.type) {
    case 'user':
      return <UserMessage item={item} deviceName={deviceName} />;
    case 'assistant':
      return (
        <li
          className={`msg msg-assistant${item.streaming ? ' streaming' : ''}`}
          aria-busy={item.streaming}
        >
          <span className="visually-hidden">Agent: </span>
          <div
            className="markdown"
            dangerouslySetInnerHTML={{ __html: renderMarkdown(item.text) }}
          />
        </li>
      );
    case 'thinking':
      return (
        <li className="msg msg-thinking">
          <details>
            <summary>Thinking{item.streaming ? '…' : ''}</summary>
            <p className="thinking-text">{item.text}</p>
          </details>
        </li>
      );
    case 'tool':
      return (
        <li className={`msg msg-tool${item.result?.isError ? ' tool-error' : ''}`}>
          <details>
            <summary>
              Tool <code>{item.name}</code>{' '}
              <span className="muted">
                {item.result ? (item.result.isError ? '· error' : '· done') : '· running'}
              </span>
            </summary>
            <h4>Input</h4>
            <pre className="json">{formatJson(item.input)}</pre>
            {item.result ? (
              <>
                <h4>{item.result.isError ? 'Error' : 'Result'}</h4>
                <pre className="json">{formatJson(item.result.output)}</pre>
              </>
            ) : null}
          </details>
        </li>
      );
    case 'permission':
      return (
        <li className="msg msg-permission">
          <PermissionPrompt
            sessionId={sessionId}
            requestId={item.requestId}
            toolName={item.toolName}
            input={item.input}
            description={item.description}
            resolution={item.resolution}
            readOnly={readOnly}
          />
        </li>
      );
    case 'turn-end':
      return (
        <li className={`msg msg-turn-end turn-${item.outcome}`}>
          {item.outcome === 'completed'
            ? 'Turn finished'
            : item.outcome === 'interrupted'
              ? 'Turn stopped'
              : 'Turn failed'}
          {item.error ? `: ${item.error}` : ''}
          {item.durationMs !== undefined ? ` · ${(item.durationMs / 1000).toFixed(1)} s` : ''}
          {item.costUsd !== undefined ? ` · $${item.costUsd.toFixed(4)}` : ''}
        </li>
      );
    case 'notice':
      return <li className={`msg msg-notice notice-${item.tone}`}>{item.text}</li>;
  }
});

function UserMessage({
  item,
  deviceName,
}: {
  item: Extract<ChatItem, { type: 'user' }>;
  deviceName: (deviceId: string | undefined) => string;
}): ReactNode {
  const client = useBatonClient();
  const state = item.queued ? 'queued' : STATE_LABELS[item.state];
  return (
    <li
      className={`msg msg-user${item.mine ? ' mine' : ''} state-${item.state}${item.queued ? ' queued' : ''}`}
      data-input-id={item.inputId}
      data-state={state}
    >
      <div className="msg-meta">
        <span>{item.mine ? 'You' : deviceName(item.deviceId)}</span>
        <span className={`msg-state msg-state-${state}`}>{state}</span>
      </div>
      <p className="user-text">{item.text}</p>
      {item.state === 'failed' ? (
        <div className="msg-failed" role="alert">
          <span>Not sent{item.error ? `: ${item.error}` : ''}.</span>
          <button type="button" onClick={() => client.retry(item.inputId)}>
            Retry
          </button>
          <button type="button" onClick={() => client.discard(item.inputId)}>
            Discard
          </button>
        </div>
      ) : null}
    </li>
  );
}
