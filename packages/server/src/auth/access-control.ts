import {
  ACTION_ROLE,
  maySteer,
  roleAtLeast,
  type Action,
  type Role,
  type SessionControl,
} from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import type { DeviceRegistry } from './device-registry.js';

/** How a refused action is named in the error a client shows. */
const DOING: Record<Action, string> = {
  'session.read': 'reading sessions',
  'session.input': 'sending input',
  'session.resize': 'resizing',
  'session.interrupt': 'interrupting',
  'session.stop': 'stopping a session',
  'session.restart': 'restarting a session',
  'session.rename': 'renaming a session',
  'session.answer': 'answering permission prompts',
  'session.create': 'creating sessions',
  'session.handoff': 'handing a session off',
  'session.control': 'taking or releasing control of a session',
  'session.delete': 'deleting a session',
  'devices.manage': 'pairing, renaming, changing roles and revoking devices',
  'devices.read': 'listing devices',
  'audit.read': 'reading the audit log',
  'push.manage': "managing this device's notifications",
  'settings.manage': 'changing server settings',
  'agents.adopt': "listing and adopting the host's agent conversations",
};

/**
 * Actions that steer a session: while it is `controlled` (after a takeover) only its controller
 * and mirrors may do them, whatever the other devices' roles.
 */
const STEERING: ReadonlySet<Action> = new Set<Action>([
  'session.input',
  'session.resize',
  'session.interrupt',
  'session.stop',
  'session.restart',
  'session.answer',
]);

/**
 * The server's one place for "may this device do this?". Every WebSocket message and HTTP route
 * asks it before acting; the client's own idea of its role only shapes its UI. Roles are read
 * from the registry at each call, so a role change or revocation applies to open sockets at once.
 */
export class AccessControl {
  /**
   * `controlOf` gives a session's control state (read at every check, like roles); `required`
   * overrides ACTION_ROLE for actions whose least role is a setting (who may read the audit
   * log), also asked at every check, so a changed setting applies at once.
   */
  constructor(
    private readonly devices: DeviceRegistry,
    /** The session's control state now (read at every check, like roles); none: `open`. */
    private readonly controlOf: (sessionId: string) => SessionControl | undefined = () => undefined,
    private readonly required: (action: Action) => Role = (action) => ACTION_ROLE[action],
  ) {}

  /**
   * The device's role for `action`, or a BatonError: `unauthorized` for a revoked device,
   * `not_found` for a session outside the device's scope (it must not learn which ids exist), and
   * `forbidden` naming the role needed. Session actions pass the session id; actions on the
   * server as a whole (create, devices, audit) pass none, and a device limited to one session
   * may not do them, except reading (its listing is filtered to its session).
   */
  check(deviceId: string, action: Action, sessionId?: string): Role {
    const needed = this.required(action);
    let role: Role;
    if (sessionId !== undefined) {
      // One lookup on the hot path (every input); which refusal it is only matters when refused.
      const on = this.devices.roleOn(deviceId, sessionId);
      if (on === undefined) throw this.unseen(deviceId, sessionId);
      role = on;
    } else {
      const device = this.devices.current(deviceId);
      if (!device) throw revoked();
      if (
        device.sessionScope !== undefined &&
        action !== 'session.read' &&
        action !== 'devices.read'
      )
        throw new BatonError(
          'forbidden',
          `this device was paired for one session only; ${DOING[action]} needs a device paired for all sessions`,
          undefined,
          needed,
        );
      role = device.role;
    }
    if (!roleAtLeast(role, needed)) {
      const where = sessionId === undefined ? '' : ` on ${sessionId}`;
      throw new BatonError(
        'forbidden',
        `${DOING[action]} needs the ${needed} role; this device is ${role === 'owner' ? 'an' : 'a'} ${role}${where}. Ask the owner to change its role.`,
        undefined,
        needed,
      );
    }
    if (sessionId !== undefined && STEERING.has(action))
      this.checkControl(deviceId, action, sessionId);
    return role;
  }

  /**
   * Refuses steering by a device that observes a controlled session, naming who controls and how
   * to get control back. Checked after the role: a viewer hears about its role, not control.
   */
  private checkControl(deviceId: string, action: Action, sessionId: string): void {
    const control = this.controlOf(sessionId);
    if (control === undefined || control.state === 'open' || maySteer(control, deviceId)) return;
    const back =
      this.devices.roleOn(deviceId, sessionId) === 'owner'
        ? 'take control back (POST /api/sessions/' + sessionId + '/control {"action":"reclaim"})'
        : 'ask them to hand it back, or an owner to take control back';
    throw new BatonError(
      'forbidden',
      `${control.controller.deviceName} controls this session since a takeover: this device observes, so ${DOING[action]} is refused; ${back}`,
    );
  }

  /** Why a device may not see a session: it was revoked, or the session is outside its scope. */
  private unseen(deviceId: string, sessionId: string): BatonError {
    if (!this.devices.current(deviceId)) return revoked();
    return new BatonError('not_found', `no session ${sessionId}; list sessions to see the ids`);
  }

  /** Whether the device may see the session at all (for filtering lists and list updates). */
  canSee(deviceId: string, sessionId: string): boolean {
    return this.devices.roleOn(deviceId, sessionId) !== undefined;
  }

  /** The device's role on the session now, if it may see it. */
  roleOn(deviceId: string, sessionId: string): Role | undefined {
    return this.devices.roleOn(deviceId, sessionId);
  }
}

function revoked(): BatonError {
  return new BatonError('unauthorized', 'this device was revoked or is unknown: pair it again');
}
