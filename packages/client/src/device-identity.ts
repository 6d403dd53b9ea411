import type { DeviceChangedMessage, Role, WelcomeMessage } from '@baton/protocol';

/**
 * Who this client is to the server: its device, that device's role (the server enforces it;
 * the UI offers only what it allows) and per-session narrowings. From `welcome`, then replaced by
 * every `device.changed` (the owner renamed the device or changed its role), so a UI follows a
 * role change live, without a reload.
 */
export interface DeviceIdentity {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** Set when the device may see only this session. */
  readonly sessionScope?: string;
  /** Per-session narrowings of `role`, by session id. */
  readonly sessionRoles: Readonly<Record<string, Role>>;
}

export function identityFromWelcome(
  welcome: WelcomeMessage,
  previous: DeviceIdentity | undefined,
): DeviceIdentity {
  const identity: DeviceIdentity = {
    id: welcome.deviceId,
    name: welcome.deviceName,
    // A server from before roles sends none: everything was allowed then.
    role: welcome.role ?? 'owner',
    // `welcome` does not carry them; keep what `device.changed` said for the same device.
    sessionRoles: previous?.id === welcome.deviceId ? previous.sessionRoles : {},
  };
  return welcome.sessionScope === undefined
    ? identity
    : { ...identity, sessionScope: welcome.sessionScope };
}

export function identityFromChange(
  change: DeviceChangedMessage,
  previous: DeviceIdentity | undefined,
): DeviceIdentity {
  const identity: DeviceIdentity = {
    id: change.deviceId,
    name: change.name,
    role: change.role,
    sessionRoles: change.sessionRoles,
  };
  return previous?.sessionScope === undefined
    ? identity
    : { ...identity, sessionScope: previous.sessionScope };
}
