import { lazy, Suspense, type ComponentProps, type ReactNode } from 'react';
import type { ChatView } from '../chat/chat-view.js';
import type { TerminalView } from '../terminal/terminal-view.js';

// The split by route: xterm.js and its addons are loaded only for terminal sessions, the chat
// (Markdown, highlight.js, diffs, the virtual list) only for agent sessions, and the sessions
// list loads neither. The service worker caches both chunks (public/sw.js), so either kind of
// session still opens offline.
const TerminalViewChunk = lazy(() =>
  import('../terminal/terminal-view.js').then((m) => ({ default: m.TerminalView })),
);
const ChatViewChunk = lazy(() =>
  import('../chat/chat-view.js').then((m) => ({ default: m.ChatView })),
);

/** What shows while a view's code loads: announced politely, like any other status. */
function LoadingView({ what }: { what: string }): ReactNode {
  return (
    <p className="muted loading" role="status">
      Loading the {what}…
    </p>
  );
}

/** The terminal view, its code loaded on first use. */
export function LazyTerminalView(props: ComponentProps<typeof TerminalView>): ReactNode {
  return (
    <Suspense fallback={<LoadingView what="terminal" />}>
      <TerminalViewChunk {...props} />
    </Suspense>
  );
}

/** The chat view, its code loaded on first use. */
export function LazyChatView(props: ComponentProps<typeof ChatView>): ReactNode {
  return (
    <Suspense fallback={<LoadingView what="chat" />}>
      <ChatViewChunk {...props} />
    </Suspense>
  );
}
