import { z } from 'zod';
import type { Role } from './role.js';

/** A device named in a session's control state (its name as it was when control changed). */
export const ControlDevice = z.object({ deviceId: z.string(), deviceName: z.string() });
export type ControlDevice = z.infer<typeof ControlDevice>;

/**
 * Who may steer a session (input, resize, interrupt, stop, restart, permission answers). A named
 * state machine, stored with the session and changed only through `control.changed` events, so
 * every device sees the changes in log order and a late joiner gets the current state from
 * `SessionInfo.control`:
 * - `open`: every device whose role allows it may steer (the state of every session until a
 *   takeover; a session from a server without control has none: read as `open`).
 * - `controlled`: only `controller` and the devices in `mirrors` may steer; every other device
 *   observes, whatever its role, and its steering is refused with `forbidden`.
 * Transitions: takeover (→ controlled, the receiver controls, no mirrors), mirror (controlled:
 * the receiver joins `mirrors`; open stays open), reclaim by an owner (→ controlled by that
 * owner), release by a controller or an owner (→ open). An observe handoff changes no state.
 */
export const SessionControl = z.discriminatedUnion('state', [
  z.object({ state: z.literal('open') }),
  z.object({
    state: z.literal('controlled'),
    controller: ControlDevice,
    mirrors: z.array(ControlDevice),
    /** Epoch milliseconds of the change that made this state. */
    since: z.number(),
  }),
]);
export type SessionControl = z.infer<typeof SessionControl>;

export const OPEN_CONTROL: SessionControl = { state: 'open' };

/** How a handoff hands a session over (see docs/protocol.md, "Handoff"). */
export const HandoffMode = z.enum(['takeover', 'mirror', 'observe']);
export type HandoffMode = z.infer<typeof HandoffMode>;

/** What changed control: a redeemed handoff, or an explicit reclaim or release. */
export const ControlAction = z.enum(['takeover', 'mirror', 'reclaim', 'release']);
export type ControlAction = z.infer<typeof ControlAction>;

/** How one device takes part in a session right now. */
export const ControlMode = z.enum(['controller', 'mirror', 'observer']);
export type ControlMode = z.infer<typeof ControlMode>;

/**
 * A device's mode on a session: a viewer always observes; in `open` every other device is a
 * controller; in `controlled` the controller, the mirrors, and everyone else an observer.
 */
export function controlModeOf(
  control: SessionControl | undefined,
  deviceId: string,
  role: Role | undefined,
): ControlMode {
  if (role === 'viewer') return 'observer';
  if (!control || control.state === 'open') return 'controller';
  if (control.controller.deviceId === deviceId) return 'controller';
  if (control.mirrors.some((m) => m.deviceId === deviceId)) return 'mirror';
  return 'observer';
}

/** Whether the control state lets `deviceId` steer (its role is checked separately). */
export function maySteer(control: SessionControl | undefined, deviceId: string): boolean {
  return controlModeOf(control, deviceId, undefined) !== 'observer';
}
