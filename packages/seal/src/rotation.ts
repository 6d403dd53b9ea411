import { type CounterGuard } from './counter-guard.js';
import { type DeviceIdentity, type DevicePublicKeys } from './device-identity.js';
import { type DeviceRegistry, type Revocation } from './device-registry.js';
import { type KeyRing } from './key-ring.js';
import { generateSessionKey, type SessionKey } from './session-key.js';
import { wrapSessionKey, type WrappedSessionKey } from './key-wrap.js';

/**
 * The host's side of the key lifecycle. Only the host of a session makes its keys: a new
 * session starts at epoch 1, and every rotation adds epoch + 1 to the host's ring. The old
 * epochs stay in the ring to open history.
 */
export async function rotateSessionKey(ring: KeyRing, sessionId: string): Promise<SessionKey> {
  const next = (ring.current(sessionId)?.epoch ?? 0) + 1;
  const key = await generateSessionKey(sessionId, next);
  ring.add(key);
  return key;
}

/** Wraps `key` to each device (the host itself holds it already and is skipped). */
export async function wrapToDevices(
  host: DeviceIdentity,
  key: SessionKey,
  devices: readonly DevicePublicKeys[],
): Promise<WrappedSessionKey[]> {
  const wrapped: WrappedSessionKey[] = [];
  for (const device of devices) {
    if (device.deviceId === host.deviceId) continue;
    wrapped.push(await wrapSessionKey(host, key, device));
  }
  return wrapped;
}

export interface RevokeRequest {
  readonly host: DeviceIdentity;
  readonly registry: DeviceRegistry;
  readonly ring: KeyRing;
  /** The host's guard: what it accepted from the device so far becomes the cut-off. */
  readonly counters: CounterGuard;
  readonly deviceId: string;
}

export interface RevokeResult {
  readonly revocation: Revocation;
  /** The new epoch of every session the host holds. */
  readonly rotated: SessionKey[];
  /** Those keys wrapped to every device still paired; none to the revoked one. */
  readonly wrapped: WrappedSessionKey[];
}

/**
 * Revokes a device: records its cut-offs (everything it sealed up to now stays valid history,
 * anything later is refused by every verifier holding the revocation), then rotates every
 * session's key and wraps the new epoch only to the devices that remain. The revoked device
 * keeps the old epochs it had, and with them the history it could already read, but opens
 * nothing sealed after the rotation.
 */
export async function revokeDevice(request: RevokeRequest): Promise<RevokeResult> {
  const { host, registry, ring, counters, deviceId } = request;
  if (deviceId === host.deviceId) throw new RangeError('a host does not revoke itself');
  const revocation: Revocation = { cutoffs: counters.cutoffsFor(deviceId) };
  registry.revoke(deviceId, revocation);
  const remaining = registry.active();
  const rotated: SessionKey[] = [];
  const wrapped: WrappedSessionKey[] = [];
  for (const sessionId of ring.sessions()) {
    const key = await rotateSessionKey(ring, sessionId);
    rotated.push(key);
    wrapped.push(...(await wrapToDevices(host, key, remaining)));
  }
  return { revocation, rotated, wrapped };
}
