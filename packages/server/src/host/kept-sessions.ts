import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_KEPT_SESSIONS, SessionId } from '@baton/protocol';

/**
 * The sessions a host holds anything of, for its hello's `kept`: each folder under
 * `<dataDir>/sessions/` named as a session, and the sessions named in `also` (its runners, the
 * inputs taken, sealed sessions' keys). At most MAX_KEPT_SESSIONS, a random choice of them when
 * there are more, so that each connection checks others.
 */
export function keptSessions(dataDir: string, also: Iterable<string>): string[] {
  const kept = new Set<string>();
  for (const id of also) if (SessionId.safeParse(id).success) kept.add(id);
  let folders: string[] = [];
  try {
    folders = readdirSync(join(dataDir, 'sessions'));
  } catch {
    // No folder yet (no agent was handed a file), or it cannot be read: nothing in it to name.
  }
  for (const name of folders) if (SessionId.safeParse(name).success) kept.add(name);
  const ids = [...kept];
  if (ids.length <= MAX_KEPT_SESSIONS) return ids;
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.slice(0, MAX_KEPT_SESSIONS);
}
