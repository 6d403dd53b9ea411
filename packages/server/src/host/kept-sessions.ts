import { MAX_KEPT_SESSIONS, SessionId } from '@baton/protocol';

/**
 * The sessions a host names in its hello's `kept`: those its runners run and those the relay
 * started under its current pairing (HostState). At most MAX_KEPT_SESSIONS, a random choice of
 * them when there are more, so that each connection checks others.
 */
export function keptSessions(ids: Iterable<string>): string[] {
  const kept = [...new Set(ids)].filter((id) => SessionId.safeParse(id).success);
  if (kept.length <= MAX_KEPT_SESSIONS) return kept;
  for (let i = kept.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [kept[i], kept[j]] = [kept[j]!, kept[i]!];
  }
  return kept.slice(0, MAX_KEPT_SESSIONS);
}
