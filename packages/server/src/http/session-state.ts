import {
  OPEN_CONTROL,
  controlModeOf,
  type ControlMode,
  type Role,
  type SessionControl,
  type SessionInfo,
} from '@baton/protocol';
import type { AccessControl } from '../auth/access-control.js';
import type { LiveSession } from '../hub/live-session.js';

/** A device attached to a session, with how it takes part (`GET /api/sessions/:id`). */
export interface AttachedDevice {
  deviceId: string;
  deviceName: string;
  /** Its role on this session now. */
  role: Role;
  /** controller, mirror or observer (see `controlModeOf`). */
  mode: ControlMode;
  /** How many of its connections are attached. */
  connections: number;
  /** When its earliest attached connection attached (epoch ms). */
  since: number;
}

/** The session's state for HTTP clients: its info, who controls, and each attached device. */
export interface SessionState {
  session: SessionInfo;
  control: SessionControl;
  devices: AttachedDevice[];
}

export function sessionState(session: LiveSession, access: AccessControl): SessionState {
  const control = session.control ?? OPEN_CONTROL;
  const byDevice = new Map<string, AttachedDevice>();
  for (const a of session.attachments()) {
    const seen = byDevice.get(a.deviceId);
    if (seen) {
      seen.connections++;
      seen.since = Math.min(seen.since, a.since);
      continue;
    }
    const role = access.roleOn(a.deviceId, session.id) ?? a.role ?? 'viewer';
    byDevice.set(a.deviceId, {
      deviceId: a.deviceId,
      deviceName: a.deviceName,
      role,
      mode: controlModeOf(control, a.deviceId, role),
      connections: 1,
      since: a.since,
    });
  }
  return { session: session.info(), control, devices: [...byDevice.values()] };
}
