import { stripUnprintable, type AuditEntry, type DeviceListing } from '@baton/protocol';
import { ago } from './format-sessions.js';

/**
 * The table `baton devices` prints: one row per device, revoked ones last. Every text from the
 * server goes through stripUnprintable (a device name must not drive the user's terminal).
 */
export function formatDeviceTable(devices: readonly DeviceListing[], now: number): string {
  const sorted = [...devices].sort((a, b) => Number(a.revoked) - Number(b.revoked));
  const rows = sorted.map((d) =>
    [
      d.id,
      d.name + (d.builtIn ? ' (built-in)' : ''),
      d.role +
        (Object.keys(d.sessionRoles).length > 0
          ? ` (${Object.entries(d.sessionRoles)
              .map(([s, r]) => `${r} on ${s}`)
              .join(', ')})`
          : '') +
        (d.sessionScope !== undefined ? ` (only ${d.sessionScope})` : ''),
      d.modes.length > 0 ? d.modes.join(',') : '-',
      d.revoked ? 'revoked' : d.online > 0 ? `online (${d.online})` : 'offline',
      d.builtIn && d.online > 0 ? 'now' : ago(d.lastSeenAt, now),
    ].map(stripUnprintable),
  );
  const header = ['ID', 'NAME', 'ROLE', 'MODES', 'STATUS', 'LAST SEEN'];
  return table(header, rows);
}

/** One audit entry as one line: time, who (mode, role), what, where, details. */
export function formatAuditLine(e: AuditEntry): string {
  const when = new Date(e.at).toISOString().replace('T', ' ').slice(0, 19);
  const detail = e.detail === undefined ? '' : ` ${JSON.stringify(e.detail)}`;
  return stripUnprintable(
    `#${e.id} ${when} ${e.deviceName} [${e.deviceId}] (${e.mode}, ${e.role}) ${e.action}` +
      (e.sessionId !== undefined ? ` ${e.sessionId}` : '') +
      detail,
  );
}

/** Left-aligned columns two spaces apart, a header row first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
