import { useState, type ReactNode } from 'react';
import {
  controlModeOf,
  roleAtLeast,
  type Attachment,
  type ControlMode,
  type Role,
  type SessionInfo,
} from '@baton/protocol';
import { changeControl } from './handoff-api.js';
import { HandoffDialog } from './handoff-dialog.js';

const MODE_LABEL: Record<ControlMode, string> = {
  controller: 'controls',
  mirror: 'mirrors',
  observer: 'observes',
};

/** This device's part in the session, in words. */
function statusText(info: SessionInfo, mine: ControlMode, role: Role): string {
  const control = info.control;
  if (role === 'viewer') return 'You are observing: this device is read-only here.';
  if (!control || control.state === 'open') return 'Anyone with the editor role may type here.';
  if (mine === 'controller') return 'You control this session.';
  if (mine === 'mirror') return `You share control with ${control.controller.deviceName}.`;
  return `${control.controller.deviceName} controls this session: you are observing.`;
}

/**
 * Who controls the session and how each attached device takes part, live (from the session's
 * control state and presence); "Hand off", and for an observer the way back to control. The
 * server enforces all of it: this only shows it and offers what this device may do.
 */
export function ControlBar({
  info,
  attached,
  myDeviceId,
}: {
  info: SessionInfo;
  attached: readonly Attachment[];
  myDeviceId: string;
}): ReactNode {
  const [dialog, setDialog] = useState(false);
  const [error, setError] = useState<string>();
  const [hint, setHint] = useState(false);
  const role = attached.find((a) => a.deviceId === myDeviceId)?.role;
  if (role === undefined) return null;
  const mine = controlModeOf(info.control, myDeviceId, role);
  const controlled = info.control?.state === 'controlled';
  const devices = new Map<string, { name: string; mode: ControlMode }>();
  for (const a of attached)
    devices.set(a.deviceId, {
      name: a.deviceName,
      mode: controlModeOf(info.control, a.deviceId, a.role),
    });

  const act = (action: 'reclaim' | 'release'): void => {
    setError(undefined);
    changeControl(info.id, action).catch((e: unknown) =>
      setError(e instanceof Error ? e.message : String(e)),
    );
  };

  return (
    <section
      className={`control-bar control-${mine}`}
      aria-label="Control"
      data-control={info.control?.state ?? 'open'}
      data-my-mode={mine}
    >
      <p className="control-status" data-testid="control-status" role="status">
        {statusText(info, mine, role)}
      </p>
      <ul className="control-modes" aria-label="Attached devices and their modes">
        {[...devices].map(([id, d]) => (
          <li key={id} data-device-id={id} data-mode={d.mode}>
            {d.name}
            {id === myDeviceId ? ' (this device)' : ''} {MODE_LABEL[d.mode]}
          </li>
        ))}
      </ul>
      <div className="control-actions">
        {roleAtLeast(role, 'editor') ? (
          <button type="button" onClick={() => setDialog((v) => !v)} aria-expanded={dialog}>
            Hand off
          </button>
        ) : null}
        {controlled && mine === 'observer' && role === 'owner' ? (
          <button type="button" className="primary" onClick={() => act('reclaim')}>
            Take control back
          </button>
        ) : null}
        {controlled && mine === 'observer' && role !== 'owner' ? (
          <button type="button" onClick={() => setHint(true)}>
            Request control
          </button>
        ) : null}
        {controlled && (mine === 'controller' || role === 'owner') ? (
          <button type="button" onClick={() => act('release')}>
            Release control
          </button>
        ) : null}
      </div>
      {hint && info.control?.state === 'controlled' ? (
        <p className="notice notice-info" role="status">
          Ask {info.control.controller.deviceName} to hand the session back to this device (Hand
          off, then Take over), or an owner to take control back.
        </p>
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {dialog ? (
        <HandoffDialog
          sessionId={info.id}
          canGiveControl={mine !== 'observer' || role === 'owner'}
          onClose={() => setDialog(false)}
        />
      ) : null}
    </section>
  );
}
