import type { CSSProperties, ReactNode } from 'react';
import type { Attachment } from '@baton/protocol';

/** Small words a name's initials skip: "Chrome on Linux" → "CL". */
const SKIPPED = new Set(['on', 'of', 'the', 'de', 'du', 'von', 'and', '&']);

/** Up to two initials of a device name: "Work laptop" → "WL", "iPhone" → "IP". */
export function initials(name: string): string {
  const all = name.split(/[\s._-]+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const words = all.filter((w) => !SKIPPED.has(w.toLowerCase()));
  const letters =
    words.length >= 2
      ? [...words[0]!][0]! + [...words[1]!][0]!
      : [...(words[0] ?? all[0] ?? '?')].slice(0, 2).join('');
  return letters.toUpperCase();
}

/** A stable hue per device, so a device keeps its colour in every window. */
function hue(deviceId: string): number {
  let h = 0;
  for (const c of deviceId) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

/**
 * Who is here, inline in the session's bar: one initials avatar per attached device (from
 * presence), each with its name and modes as tooltip and label; this device is marked. The whole
 * row is the button that opens the devices panel (the details: every window, since when).
 */
export function PresenceAvatars({
  attached,
  unlisted = 0,
  myDeviceId,
  live,
  expanded,
  onToggle,
}: {
  attached: readonly Attachment[];
  /** Windows attached beyond the listed ones (presence lists a session's first 50). */
  unlisted?: number;
  myDeviceId: string | undefined;
  live: boolean;
  expanded: boolean;
  onToggle: () => void;
}): ReactNode {
  const devices = new Map<string, { name: string; modes: Set<string>; readOnly: boolean }>();
  for (const a of attached) {
    const d = devices.get(a.deviceId) ?? { name: a.deviceName, modes: new Set(), readOnly: true };
    d.modes.add(a.mode);
    d.readOnly &&= a.readOnly;
    devices.set(a.deviceId, d);
  }
  const described = [...devices].map(([id, d]) => ({
    id,
    name: d.name,
    text: `${d.name}${id === myDeviceId ? ' (this device)' : ''}, ${[...d.modes].join(', ')}${d.readOnly ? ', watching' : ''}`,
  }));
  const label = !live
    ? 'Devices here: not known while this window is not attached'
    : `Devices here (${devices.size}): ${described.map((d) => d.text).join('; ') || 'nobody'}${
        unlisted > 0 ? `; and ${unlisted} more ${unlisted === 1 ? 'window' : 'windows'}` : ''
      }`;
  return (
    <button
      type="button"
      className="presence"
      title={label}
      aria-expanded={expanded}
      aria-controls="devices-panel"
      onClick={onToggle}
      data-count={devices.size}
    >
      {/* The name comes from this text, not aria-label, so that the initials shown never
          contradict it (axe: label-content-name-mismatch); the avatars are hidden from it. */}
      <span className="visually-hidden">{label}</span>
      {described.length === 0 ? (
        <span className="avatar avatar-empty" aria-hidden="true">
          {live ? '0' : '?'}
        </span>
      ) : (
        described.map((d) => (
          <span
            key={d.id}
            className={`avatar${d.id === myDeviceId ? ' avatar-me' : ''}`}
            data-device-id={d.id}
            title={d.text}
            aria-hidden="true"
            style={{ '--avatar-hue': hue(d.id) } as CSSProperties}
          >
            {initials(d.name)}
          </span>
        ))
      )}
      {live && unlisted > 0 ? (
        <span className="avatar avatar-more" aria-hidden="true" data-unlisted={unlisted}>
          +{unlisted}
        </span>
      ) : null}
    </button>
  );
}
