import { useCallback, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { Attachment, SessionId, SessionStatus } from '@baton/protocol';
import { buildChat, type ChatSource } from './chat-model.js';
import { ChatItemView } from './chat-item-view.js';
import { Composer } from './composer.js';

/**
 * The conversation of a Claude Code or Codex session: the transcript built from the log plus
 * this device's pending messages, and the composer. Scrolls to new output only while the reader
 * is at the bottom, so reading back is never interrupted.
 */
export function ChatView({
  sessionId,
  source,
  status,
  readOnly,
  readOnlyNote,
  attached,
}: {
  sessionId: string;
  source: ChatSource;
  status: SessionStatus | undefined;
  readOnly: boolean;
  /** Why nothing can be sent, when it is not that this device is a viewer. */
  readOnlyNote?: string | undefined;
  attached: readonly Attachment[];
}): ReactNode {
  const client = useBatonClient();
  const model = useMemo(() => buildChat(source), [source]);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const loadOlder = (): void => {
    const store = client.session(sessionId as SessionId);
    if (!store) return;
    setLoadingOlder(true);
    store.loadOlder().then(
      () => setLoadingOlder(false),
      () => setLoadingOlder(false),
    );
  };
  const listRef = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const a of attached) map.set(a.deviceId, a.deviceName);
    return map;
  }, [attached]);
  const deviceName = useCallback(
    (deviceId: string | undefined) => (deviceId && names.get(deviceId)) || 'Another device',
    [names],
  );

  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && pinned.current) list.scrollTop = list.scrollHeight;
  }, [model]);

  const working = model.turnRunning || status === 'running' || status === 'starting';
  const canStop = working || model.queued > 0;
  return (
    <div className="chat">
      <ol
        ref={listRef}
        className="transcript"
        role="log"
        aria-label="Conversation"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {source.truncated ? (
          <li className="msg msg-notice notice-info">
            <button type="button" onClick={loadOlder} disabled={loadingOlder}>
              {loadingOlder ? 'Loading earlier messages…' : 'Load earlier messages'}
            </button>
          </li>
        ) : null}
        {model.items.length === 0 ? (
          <li className="msg msg-notice notice-info">
            No messages yet. Say what the agent should do.
          </li>
        ) : (
          model.items.map((item) => (
            <ChatItemView
              key={item.key}
              item={item}
              sessionId={sessionId}
              readOnly={readOnly}
              deviceName={deviceName}
            />
          ))
        )}
        {working ? (
          <li className="msg msg-working" aria-live="off">
            <span className="spinner" aria-hidden="true" /> The agent is working…
          </li>
        ) : null}
      </ol>
      {readOnly ? (
        <p className="muted read-only-note" role="note">
          {readOnlyNote ??
            'This device is a viewer: it watches this session and cannot type, stop or answer.'}
        </p>
      ) : (
        <Composer
          sessionId={sessionId}
          canStop={canStop}
          turnRunning={model.turnRunning}
          queued={model.queued}
        />
      )}
    </div>
  );
}
