import { useEffect, useRef } from 'react';

/**
 * A draft being typed is volatile state: it is never sent to the server, but the other windows
 * of the browser profile show it at once over a BroadcastChannel (docs/web.md, "Cross-tab
 * sync"), the way they share the draft store in localStorage. A window applies another's draft
 * only while its own box is not being typed in (its box focused in a focused window), so two
 * windows never fight over one box.
 */
const CHANNEL_NAME = 'baton.drafts';

interface DraftMessage {
  v: 1;
  sessionId: string;
  text: string;
}

let channel: BroadcastChannel | null | undefined;

function draftChannel(): BroadcastChannel | null {
  if (channel === undefined)
    channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL_NAME);
  return channel;
}

/** Tells the other windows what this window's box for `sessionId` now holds. */
export function shareDraft(sessionId: string, text: string): void {
  draftChannel()?.postMessage({ v: 1, sessionId, text } satisfies DraftMessage);
}

/** Calls `apply` with each draft another window shares for `sessionId`. */
export function useSharedDraft(sessionId: string, apply: (text: string) => void): void {
  const latest = useRef(apply);
  latest.current = apply;
  useEffect(() => {
    const ch = draftChannel();
    if (!ch) return;
    const onMessage = (event: MessageEvent<unknown>): void => {
      const m = event.data as Partial<DraftMessage> | null;
      // Anything else on the channel (another build) is not a draft this build reads.
      if (m?.v !== 1 || m.sessionId !== sessionId || typeof m.text !== 'string') return;
      latest.current(m.text);
    };
    ch.addEventListener('message', onMessage);
    return () => ch.removeEventListener('message', onMessage);
  }, [sessionId]);
}
