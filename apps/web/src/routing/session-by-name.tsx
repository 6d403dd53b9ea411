import { useEffect, type ReactNode } from 'react';
import { useSessions } from '@baton/react';
import { SessionId, type SessionInfo } from '@baton/protocol';
import { NoSuchSession } from '../session/no-such-session.js';
import { navigate, sessionPath } from './location-store.js';

/** Whether a `/s/<ref>` reference is a well-formed session id (otherwise it may be a name). */
export function isSessionId(ref: string): boolean {
  return SessionId.safeParse(ref).success;
}

/**
 * The session a name refers to: the one with exactly that name, the most recently active when
 * several share it (names are not unique).
 */
export function sessionNamed(
  sessions: readonly SessionInfo[],
  name: string,
): SessionInfo | undefined {
  let found: SessionInfo | undefined;
  for (const s of sessions) {
    if (s.name === name && (!found || s.lastActivityAt > found.lastActivityAt)) found = s;
  }
  return found;
}

/**
 * `/s/<name>`: once the sessions list is loaded, goes to the session of that name (replacing
 * the address with its id, so a reload or a shared link keeps working after a rename), or says
 * there is no such session.
 */
export function SessionByName({ name }: { name: string }): ReactNode {
  const { sessions, loaded } = useSessions();
  const found = loaded ? sessionNamed(sessions, name) : undefined;
  useEffect(() => {
    if (found) navigate(sessionPath(found.id), { replace: true });
  }, [found]);
  if (!loaded || found) return <p className="loading">Looking up session “{name}”…</p>;
  return <NoSuchSession reference={name} />;
}
