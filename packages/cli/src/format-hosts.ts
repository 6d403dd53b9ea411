import { stripUnprintable, type HostListing } from '@baton/protocol';
import { table } from './format-devices.js';
import { ago } from './format-sessions.js';

/**
 * The table `baton hosts` prints, in the server's order (by name). Names go through
 * stripUnprintable: a host name must not drive the user's terminal. KEY is the fingerprint of
 * the host's signing key, to compare with the one `baton host` printed at its start.
 */
export function formatHostTable(hosts: readonly HostListing[], now: number): string {
  const rows = hosts.map((h) =>
    [
      h.id,
      h.name,
      h.online ? 'online' : 'offline',
      h.online ? 'now' : h.lastSeenAt === null ? '-' : ago(h.lastSeenAt, now),
      String(h.sessions),
      h.keyFingerprint ?? '-',
    ].map(stripUnprintable),
  );
  return table(['ID', 'NAME', 'STATUS', 'LAST SEEN', 'SESSIONS', 'KEY'], rows);
}
