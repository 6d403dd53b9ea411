import { useEffect } from 'react';
import { useSessions } from '@baton/react';

const ICON = '/icons/icon.svg';
const ICON_ATTENTION = '/icons/icon-attention.svg';

/**
 * The tab says when a session needs you (a permission, a question or a plan to approve, from
 * `SessionInfo.attention`), so a person sees it from another tab:
 * - the title starts with "(!)": on a session's page when that session waits, elsewhere when any
 *   does (naming it, or counting them);
 * - the favicon gets a red dot while any session waits.
 */
export function useAttentionTitle(sessionId: string | undefined): void {
  const { sessions } = useSessions();
  const waiting = sessions.filter((s) => s.attention !== undefined);
  const shown = sessionId === undefined ? undefined : sessions.find((s) => s.id === sessionId);
  let title = 'baton';
  if (shown) title = `${shown.attention ? '(!) ' : ''}${shown.name} — baton`;
  else if (waiting.length === 1) title = `(!) ${waiting[0]!.name} — baton`;
  else if (waiting.length > 1) title = `(!) ${waiting.length} sessions need you — baton`;
  const icon = waiting.length > 0 ? ICON_ATTENTION : ICON;

  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(() => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (link && link.getAttribute('href') !== icon) link.setAttribute('href', icon);
  }, [icon]);
}
