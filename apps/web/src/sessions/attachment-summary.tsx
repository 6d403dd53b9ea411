import type { ReactNode } from 'react';
import type { Attachment } from '@baton/protocol';

/** Who is attached: one entry per device, with its windows' modes (e.g. "laptop: tab ×2"). */
export function AttachmentSummary({ attached }: { attached: readonly Attachment[] }): ReactNode {
  if (attached.length === 0) return <span className="muted">nobody</span>;
  const byDevice = new Map<string, { name: string; modes: string[] }>();
  for (const a of attached) {
    const entry = byDevice.get(a.deviceId) ?? { name: a.deviceName, modes: [] };
    entry.modes.push(a.readOnly ? `${a.mode} (read-only)` : a.mode);
    byDevice.set(a.deviceId, entry);
  }
  return (
    <ul className="attached">
      {[...byDevice.entries()].map(([deviceId, { name, modes }]) => (
        <li key={deviceId}>
          <span className="device-name">{name}</span>: {summarize(modes)}
        </li>
      ))}
    </ul>
  );
}

function summarize(modes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const m of modes) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts.entries()].map(([m, n]) => (n > 1 ? `${m} ×${n}` : m)).join(', ');
}
