import {
  useCallback,
  useDeferredValue,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useBatonClient } from '@baton/react';
import { agentStateOf } from '@baton/client';
import { IMPORTED_DEVICE_ID, isKnownLogEvent } from '@baton/protocol';
import type { Attachment, SessionId, SessionInfo, SessionStatus } from '@baton/protocol';
import { AgentSettingsBar } from './agent-settings-bar.js';
import { buildChat, type ChatItem, type ChatSource } from './chat-model.js';
import { ChatItemView, type Who } from './chat-item-view.js';
import { Composer } from './composer.js';
import { ComposerFillContext } from './composer-fill.js';
import { useDeviceNames } from '../devices/use-device-names.js';
import './chat.css';

/** What the transcript lists: the conversation's items and the lines around them. */
type Row =
  | { readonly kind: 'older' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'item'; readonly item: ChatItem }
  | { readonly kind: 'working' };

const ROW_GAP_PX = 10;
/** How close to the bottom (px) still counts as "at the bottom": new output keeps it in view. */
const PINNED_SLACK_PX = 40;

/**
 * The conversation of a Claude Code or Codex session: the transcript built from the log plus
 * this device's pending messages, and the composer.
 *
 * The transcript is a virtual list (@tanstack/react-virtual): only the rows in and near the
 * view are in the DOM, each measured once it renders, so a long conversation opens as fast as
 * a short one and Markdown is rendered only for rows that are shown. It sticks to the bottom
 * while the reader is there (streaming text grows in view) and never moves while they read
 * back: the virtualizer keeps the offset when rows above the view change size.
 */
export function ChatView({
  sessionId,
  source,
  status,
  readOnly,
  readOnlyNote,
  attached,
  info,
}: {
  sessionId: string;
  source: ChatSource;
  /** The session as listed: its kind, and its config's model and permission mode. */
  info?: SessionInfo | undefined;
  status: SessionStatus | undefined;
  readOnly: boolean;
  /** Why nothing can be sent, when it is not that this device is a viewer. */
  readOnlyNote?: string | undefined;
  attached: readonly Attachment[];
}): ReactNode {
  const client = useBatonClient();
  // The store notifies once per event, and a replay delivers hundreds in a row: building and
  // laying out the transcript for each would keep the main thread busy for seconds. A deferred
  // source lets React drop the builds that a newer event has already made stale, so a long
  // conversation is built about once, and typing stays responsive while events stream in.
  const shown = useDeferredValue(source);
  const model = useMemo(() => buildChat(shown), [shown]);
  const config = info?.config;
  const agent = useMemo(() => {
    const runner = shown.base?.state?.runner;
    const before = runner?.kind === 'agent' ? runner.events.filter(isKnownLogEvent) : [];
    return agentStateOf(config, [...before, ...shown.events]);
  }, [shown, config]);
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
  const listRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const lastScrollTop = useRef(0);
  /** Text an Edit puts back into the composer; `n` tells two edits of the same text apart. */
  const [fillRequest, setFillRequest] = useState<{ text: string; n: number }>();
  const fill = useCallback(
    (text: string) => setFillRequest((previous) => ({ text, n: (previous?.n ?? 0) + 1 })),
    [],
  );

  // Authors are named whether or not they are still here: presence first, then the directory
  // of every device (a device that left or was revoked keeps its last name).
  const nameOf = useDeviceNames(attached);
  const me = shown.deviceId;
  const who = useCallback<Who>(
    (deviceId) =>
      deviceId !== undefined && deviceId === me
        ? 'this device'
        : deviceId === IMPORTED_DEVICE_ID
          ? // History adopted from a conversation baton did not start (docs/agents.md).
            'Imported'
          : (deviceId && nameOf(deviceId)) || 'Another device',
    [nameOf, me],
  );

  const working = model.turnRunning || status === 'running' || status === 'starting';
  const rows = useMemo<Row[]>(() => {
    const out: Row[] = [];
    if (shown.truncated) out.push({ kind: 'older' });
    if (model.items.length === 0) out.push({ kind: 'empty' });
    for (const item of model.items) out.push({ kind: 'item', item });
    if (working) out.push({ kind: 'working' });
    return out;
  }, [model, shown.truncated, working]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => 72,
    getItemKey: (index) => rowKey(rows[index]!),
    gap: ROW_GAP_PX,
    paddingStart: 16,
    paddingEnd: 16,
    overscan: 6,
  });
  const totalSize = virtualizer.getTotalSize();

  // After every change while pinned, and after rows were measured (the total size changes),
  // show the bottom. Layout effect: before paint, so the view never flashes the top.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && pinned.current) list.scrollTop = list.scrollHeight;
  }, [rows, totalSize]);

  return (
    <ComposerFillContext.Provider value={fill}>
      <div className="chat">
        {/* Divs, not a list: the log role replaces a list's, which left its items orphaned. */}
        <div
          ref={listRef}
          className="transcript transcript-virtual"
          role="log"
          aria-label="Conversation"
          tabIndex={0}
          onScroll={(e) => {
            const el = e.currentTarget;
            const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < PINNED_SLACK_PX;
            // Only a scroll up lets go of the bottom. Scroll events also come from layout (rows
            // measured, the list's size applied a render later, the composer growing); read as
            // a person's scroll, one of them could unpin the view mid-update, and new messages
            // then stayed below the fold, unrendered by the virtual list.
            if (atBottom) pinned.current = true;
            else if (el.scrollTop < lastScrollTop.current - 1) pinned.current = false;
            lastScrollTop.current = el.scrollTop;
          }}
        >
          <div className="transcript-size" aria-hidden="true" style={{ height: totalSize }} />
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index]!;
            return (
              <div
                key={v.key}
                ref={virtualizer.measureElement}
                data-index={v.index}
                className={`transcript-row row-${row.kind === 'item' ? row.item.type : row.kind}`}
                data-input-id={
                  row.kind === 'item' && row.item.type === 'user' ? row.item.inputId : undefined
                }
                style={{ transform: `translateY(${v.start}px)` }}
              >
                <RowView
                  row={row}
                  sessionId={sessionId}
                  readOnly={readOnly}
                  who={who}
                  loadOlder={loadOlder}
                  loadingOlder={loadingOlder}
                />
              </div>
            );
          })}
        </div>
        {info && info.kind !== 'terminal' ? (
          <AgentSettingsBar
            sessionId={sessionId}
            kind={info.kind}
            agent={agent}
            readOnly={readOnly}
          />
        ) : null}
        {readOnly ? (
          <p className="muted read-only-note" role="note">
            {readOnlyNote ??
              'This device is a viewer: it watches this session and cannot type, stop or answer.'}
          </p>
        ) : (
          <Composer
            key={sessionId}
            sessionId={sessionId}
            working={working || model.queued > 0}
            turnRunning={model.turnRunning}
            queued={model.queued}
            fill={fillRequest}
            commands={agent.commands}
          />
        )}
      </div>
    </ComposerFillContext.Provider>
  );
}

function rowKey(row: Row): string {
  return row.kind === 'item' ? row.item.key : `:${row.kind}`;
}

function RowView({
  row,
  sessionId,
  readOnly,
  who,
  loadOlder,
  loadingOlder,
}: {
  row: Row;
  sessionId: string;
  readOnly: boolean;
  who: Who;
  loadOlder: () => void;
  loadingOlder: boolean;
}): ReactNode {
  switch (row.kind) {
    case 'item':
      return <ChatItemView item={row.item} sessionId={sessionId} readOnly={readOnly} who={who} />;
    case 'older':
      return (
        <div className="msg msg-notice notice-info">
          <button type="button" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading earlier messages…' : 'Load earlier messages'}
          </button>
        </div>
      );
    case 'empty':
      return (
        <div className="msg msg-notice notice-info">
          No messages yet. Say what the agent should do.
        </div>
      );
    case 'working':
      return (
        <div className="msg msg-working" aria-live="off">
          <span className="spinner" aria-hidden="true" /> The agent is working…
        </div>
      );
  }
}
