import { memo, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { ChatItem } from './chat-model.js';
import { formatCost, formatTokens } from './format-usage.js';
import { MarkdownView } from './markdown-view.js';
import { QueuedMessageActions } from './queued-message-actions.js';
import { MessageAttachments } from './attachments/message-attachments.js';
import { ToolCard } from './tool-card.js';

const STATE_LABELS = { pending: 'pending', sent: 'sent', failed: 'failed' } as const;

/** Says which device did something: "this device", its name, or "Another device". */
export type Who = (deviceId: string | undefined) => string;

/**
 * One entry of the transcript. Memoized: items keep their identity while unchanged, and the
 * virtual list passes only primitives and a stable ref, so scrolling re-renders only the rows
 * that come into view.
 */
export const ChatItemView = memo(function ChatItemView({
  item,
  sessionId,
  readOnly,
  who,
}: {
  item: ChatItem;
  sessionId: string;
  readOnly: boolean;
  who: Who;
}): ReactNode {
  switch (item.type) {
    case 'user':
      return <UserMessage item={item} sessionId={sessionId} readOnly={readOnly} who={who} />;
    case 'assistant':
      return (
        <div
          className={`msg msg-assistant${item.streaming ? ' streaming' : ''}`}
          aria-busy={item.streaming}
        >
          {item.command !== undefined ? (
            <div className="msg-meta msg-command">Output of /{item.command}</div>
          ) : (
            <span className="visually-hidden">Agent: </span>
          )}
          <MarkdownView text={item.text} streaming={item.streaming} />
        </div>
      );
    case 'thinking':
      return (
        <div className="msg msg-thinking">
          <details>
            <summary>Thinking{item.streaming ? '…' : ''}</summary>
            <p className="thinking-text">{item.text}</p>
          </details>
        </div>
      );
    case 'tool':
      return <ToolCard item={item} sessionId={sessionId} readOnly={readOnly} who={who} />;
    case 'turn-end':
      return (
        <div className={`msg msg-turn-end turn-${item.outcome}`}>
          {item.outcome === 'completed'
            ? 'Turn finished'
            : item.outcome === 'interrupted'
              ? item.stoppedBy
                ? `Stopped from ${who(item.stoppedBy)}`
                : 'Turn stopped'
              : 'Turn failed'}
          {item.error ? `: ${item.error}` : ''}
          {item.durationMs !== undefined ? ` · ${(item.durationMs / 1000).toFixed(1)} s` : ''}
          {item.tokens ? ` · ${formatTokens(item.tokens)} tokens` : ''}
          {item.costUsd !== undefined ? ` · ${formatCost(item.costUsd, item.costEstimated)}` : ''}
        </div>
      );
    case 'notice':
      return <div className={`msg msg-notice notice-${item.tone}`}>{item.text}</div>;
    case 'change': {
      const by = who(item.deviceId);
      return (
        <div className={`msg msg-notice notice-info${item.cleared ? ' msg-cleared' : ''}`}>
          {by.charAt(0).toUpperCase() + by.slice(1)} {item.text}
        </div>
      );
    }
  }
});

function UserMessage({
  item,
  sessionId,
  readOnly,
  who,
}: {
  item: Extract<ChatItem, { type: 'user' }>;
  sessionId: string;
  readOnly: boolean;
  who: Who;
}): ReactNode {
  const client = useBatonClient();
  const state = item.queued ? 'queued' : STATE_LABELS[item.state];
  return (
    <div
      className={`msg msg-user${item.mine ? ' mine' : ''} state-${item.state}${item.queued ? ' queued' : ''}`}
      data-input-id={item.inputId}
      data-state={state}
    >
      <div className="msg-meta">
        <span className="msg-author">{item.mine ? 'You' : who(item.deviceId)}</span>
        <span className={`msg-state msg-state-${state}`}>{state}</span>
      </div>
      <p className="user-text">{item.text}</p>
      {item.attachments.length > 0 ? (
        <MessageAttachments sessionId={sessionId} attachments={item.attachments} />
      ) : null}
      {item.queued && item.mine && !readOnly ? (
        <QueuedMessageActions sessionId={sessionId} inputId={item.inputId} text={item.text} />
      ) : null}
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
    </div>
  );
}
