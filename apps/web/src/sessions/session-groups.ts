import type { SessionInfo } from '@baton/protocol';
import { isLive } from './status-badge.js';

/** A section of the sessions navigator. */
export interface SessionGroup {
  readonly key: 'needs-you' | 'running' | 'ended';
  readonly title: string;
  readonly sessions: readonly SessionInfo[];
}

/**
 * The sessions as a navigator shows them: those waiting for a person first ("Needs you": a
 * permission, a question or a plan to approve), then those running (starting, running, idle,
 * stopping), then those that ended (exited, failed); each by latest activity first. Empty groups
 * are left out. A pure function: every window that holds the same list shows the same order.
 */
export function groupSessions(sessions: readonly SessionInfo[]): SessionGroup[] {
  const needsYou: SessionInfo[] = [];
  const running: SessionInfo[] = [];
  const ended: SessionInfo[] = [];
  for (const s of sessions) {
    if (s.attention !== undefined && isLive(s.status)) needsYou.push(s);
    else if (isLive(s.status) || s.status === 'stopping') running.push(s);
    else ended.push(s);
  }
  const byActivity = (a: SessionInfo, b: SessionInfo): number =>
    b.lastActivityAt - a.lastActivityAt || a.id.localeCompare(b.id);
  const groups: SessionGroup[] = [
    { key: 'needs-you', title: 'Needs you', sessions: needsYou.sort(byActivity) },
    { key: 'running', title: 'Running', sessions: running.sort(byActivity) },
    { key: 'ended', title: 'Ended', sessions: ended.sort(byActivity) },
  ];
  return groups.filter((g) => g.sessions.length > 0);
}
