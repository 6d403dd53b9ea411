import { CounterGuard } from '../counter-guard.js';
import { generateDeviceIdentity, type DeviceIdentity } from '../device-identity.js';
import { DeviceRegistry } from '../device-registry.js';
import { KeyRing } from '../key-ring.js';
import { unwrapSessionKey, type WrappedSessionKey } from '../key-wrap.js';
import { wrapToDevices, rotateSessionKey } from '../rotation.js';

/**
 * One participant in the tests: a device identity with its own registry, key ring and counter
 * guard, the state a host or a paired device keeps. Real keys, real WebCrypto.
 */
export interface SealParty {
  readonly identity: DeviceIdentity;
  readonly registry: DeviceRegistry;
  readonly ring: KeyRing;
  readonly counters: CounterGuard;
}

export async function newParty(deviceId: string): Promise<SealParty> {
  return {
    identity: await generateDeviceIdentity(deviceId),
    registry: new DeviceRegistry(),
    ring: new KeyRing(),
    counters: new CounterGuard(),
  };
}

/** Everyone registers everyone's public keys, as pairing through the host would. */
export function introduce(parties: readonly SealParty[]): void {
  for (const party of parties) {
    for (const other of parties) party.registry.add(other.identity.publicKeys);
  }
}

/** Hands each device the wrapped keys addressed to it, as the relay would deliver them. */
export async function deliver(
  host: SealParty,
  wrapped: readonly WrappedSessionKey[],
  devices: readonly SealParty[],
): Promise<void> {
  for (const device of devices) {
    for (const w of wrapped) {
      if (w.recipient !== device.identity.deviceId) continue;
      device.ring.add(
        await unwrapSessionKey(device.identity, w, {
          registry: device.registry,
          expectedWrapper: host.identity.deviceId,
        }),
      );
    }
  }
}

/** A host and devices that all hold the first key epoch of `sessionId`. */
export async function sessionWith(
  sessionId: string,
  host: SealParty,
  devices: readonly SealParty[],
): Promise<void> {
  const key = await rotateSessionKey(host.ring, sessionId);
  const wrapped = await wrapToDevices(
    host.identity,
    key,
    devices.map((d) => d.identity.publicKeys),
  );
  await deliver(host, wrapped, devices);
}
