import type { DeviceIdentity, DevicePublicKeys, SignedRoster } from '@baton/seal';

/**
 * Where a device keeps what sealed sessions need across restarts. Everything here stays on the
 * device: its identity (private keys), the host keys it pinned from pairing links (never from a
 * relay), the newest roster it applied per host (so a relay cannot roll it back), and its own
 * author counter per session (so an envelope it sealed is never outnumbered by one sealed
 * after a restart, which readers would refuse as a replay).
 *
 * All methods are async: a browser store sits on IndexedDB, a Node store on a 0600 file.
 * A store belongs to one device id on one relay.
 */
export interface SealingStore {
  /**
   * Whether identities given to `saveIdentity` must be extractable: a file store writes the
   * private keys out itself, a browser store keeps non-extractable WebCrypto keys as they are.
   */
  readonly extractableKeys: boolean;
  loadIdentity(): Promise<DeviceIdentity | undefined>;
  /** Keeps the identity; refuses to replace one with another device id or other keys. */
  saveIdentity(identity: DeviceIdentity): Promise<void>;
  /** The host keys pinned from the pairing link of `hostId`. */
  hostKeys(hostId: string): Promise<DevicePublicKeys | undefined>;
  /** Pins a host's keys; refuses other keys for a host already pinned (pair again elsewhere). */
  pinHost(keys: DevicePublicKeys): Promise<void>;
  /** Every host this device pinned. */
  hosts(): Promise<DevicePublicKeys[]>;
  /** The newest roster of `hostId` this device applied (its signature checked when applied). */
  roster(hostId: string): Promise<SignedRoster | undefined>;
  saveRoster(hostId: string, roster: SignedRoster): Promise<void>;
  /**
   * The highest author counter any window of this device used per session (each window seals
   * in a lane of its own and starts above this: counter-lanes.ts in @baton/seal).
   */
  counters(): Promise<Record<string, number>>;
  /** Records `last` as used in `sessionId` (never lowering it); resolves once it is durable. */
  saveCounter(sessionId: string, last: number): Promise<void>;
}

/** Why a store refused a change: the message says what to do. */
export class SealingStoreError extends Error {
  override readonly name = 'SealingStoreError';
}

/** Refuses replacing pinned host keys with others (a relay or a link posing as the host). */
export function checkSamePin(
  known: DevicePublicKeys | undefined,
  keys: DevicePublicKeys,
): 'new' | 'same' {
  if (!known) return 'new';
  if (known.signingKey === keys.signingKey && known.agreementKey === keys.agreementKey) {
    return 'same';
  }
  throw new SealingStoreError(
    `host ${keys.deviceId} is pinned with other keys on this device; a link with new keys for it is refused (if the host really got a new identity, pair with a fresh store)`,
  );
}
