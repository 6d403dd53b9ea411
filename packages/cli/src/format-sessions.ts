import { stripUnprintable, type SessionInfo } from '@baton/protocol';

/** How long ago `ms` was, in the largest whole unit (`5m ago`). */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/**
 * The table `baton ls` prints. Every text from the server goes through stripUnprintable: the
 * server refuses control characters in names, but a name stored by an older server, or a
 * device name, must still not drive the user's terminal.
 */
export function formatSessionTable(sessions: readonly SessionInfo[], now: number): string {
  if (sessions.length === 0) return 'no sessions; create one with: baton new terminal\n';
  if (sessions.some((s) => s.host !== undefined)) return formatByHost(sessions, now);
  return formatTable(sessions, now);
}

/**
 * On a relay: one table per host, headed by the host's name and whether it is online (a
 * session of an offline host cannot run until the host reconnects). Hosts in name order.
 */
function formatByHost(sessions: readonly SessionInfo[], now: number): string {
  const groups = new Map<string, { title: string; sessions: SessionInfo[] }>();
  for (const s of sessions) {
    const key = s.host?.id ?? '';
    const title = s.host
      ? `host ${s.host.name} (${s.host.online ? 'online' : 'offline'})`
      : 'no host';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { title, sessions: [] }));
    g.sessions.push(s);
  }
  return [...groups.values()]
    .sort((a, b) => a.title.localeCompare(b.title))
    .map((g) => `${stripUnprintable(g.title)}\n${formatTable(g.sessions, now)}`)
    .join('\n');
}

function formatTable(sessions: readonly SessionInfo[], now: number): string {
  const rows = sessions.map((s) =>
    [
      s.id,
      s.name,
      s.kind,
      s.status +
        (s.exitCode !== undefined ? ` (${s.exitCode})` : '') +
        // The server cannot store this session's events (a full disk): say so where it is seen.
        (s.degraded !== undefined ? ', not saving' : ''),
      s.attached.length === 0
        ? '-'
        : [...new Set(s.attached.map((a) => `${a.deviceName}/${a.mode}`))].join(','),
      ago(s.lastActivityAt, now),
    ].map(stripUnprintable),
  );
  const header = ['ID', 'NAME', 'KIND', 'STATUS', 'ATTACHED', 'ACTIVITY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map(
      (r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}
