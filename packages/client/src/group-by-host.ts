import type { SessionHost, SessionInfo } from '@baton/protocol';

/** The sessions of one host, as a relay's list shows them (docs/relay.md). */
export interface HostGroup {
  /** The host, or undefined for sessions a server runs itself (no relay). */
  host: SessionHost | undefined;
  sessions: SessionInfo[];
}

/**
 * Groups a session list by the machine each session runs on (`SessionInfo.host`): one group per
 * host id, hosts in name order, sessions in the order given; sessions without a host (a server
 * that is not a relay) form one group with `host` undefined, first. A host's online state is
 * the one its most recent session entry says (entries of one host agree once every
 * `sessions.changed` has arrived).
 */
export function groupByHost(sessions: readonly SessionInfo[]): HostGroup[] {
  const groups = new Map<string, HostGroup>();
  const local: SessionInfo[] = [];
  for (const s of sessions) {
    if (!s.host) {
      local.push(s);
      continue;
    }
    const g = groups.get(s.host.id);
    if (g) {
      g.sessions.push(s);
      if (s.lastActivityAt >= Math.max(...g.sessions.map((x) => x.lastActivityAt))) g.host = s.host;
    } else groups.set(s.host.id, { host: s.host, sessions: [s] });
  }
  const byName = [...groups.values()].sort((a, b) =>
    (a.host?.name ?? '').localeCompare(b.host?.name ?? ''),
  );
  return local.length > 0 ? [{ host: undefined, sessions: local }, ...byName] : byName;
}
