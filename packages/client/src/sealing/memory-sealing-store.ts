import type { DeviceIdentity, DevicePublicKeys, SignedRoster } from '@baton/seal';
import { checkSamePin, SealingStoreError, type SealingStore } from './sealing-store.js';

/**
 * A sealing store in memory: for tests and for a process that pairs and forgets. Keys stay
 * non-extractable. Counters do not survive the process, so a device with this store must not
 * seal into a session again after a restart (readers would refuse its lower counters).
 */
export class MemorySealingStore implements SealingStore {
  readonly extractableKeys = false;
  #identity: DeviceIdentity | undefined;
  readonly #hosts = new Map<string, DevicePublicKeys>();
  readonly #rosters = new Map<string, SignedRoster>();
  readonly #counters = new Map<string, number>();

  loadIdentity(): Promise<DeviceIdentity | undefined> {
    return Promise.resolve(this.#identity);
  }

  saveIdentity(identity: DeviceIdentity): Promise<void> {
    if (this.#identity && this.#identity !== identity) {
      return Promise.reject(
        new SealingStoreError(
          `this store already holds device ${this.#identity.deviceId}; use a new store for another device`,
        ),
      );
    }
    this.#identity = identity;
    return Promise.resolve();
  }

  hostKeys(hostId: string): Promise<DevicePublicKeys | undefined> {
    return Promise.resolve(this.#hosts.get(hostId));
  }

  pinHost(keys: DevicePublicKeys): Promise<void> {
    try {
      if (checkSamePin(this.#hosts.get(keys.deviceId), keys) === 'new') {
        this.#hosts.set(keys.deviceId, { ...keys });
      }
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  hosts(): Promise<DevicePublicKeys[]> {
    return Promise.resolve([...this.#hosts.values()]);
  }

  roster(hostId: string): Promise<SignedRoster | undefined> {
    return Promise.resolve(this.#rosters.get(hostId));
  }

  saveRoster(hostId: string, roster: SignedRoster): Promise<void> {
    this.#rosters.set(hostId, roster);
    return Promise.resolve();
  }

  counters(): Promise<Record<string, number>> {
    return Promise.resolve(Object.fromEntries(this.#counters));
  }

  saveCounter(sessionId: string, last: number): Promise<void> {
    if (last > (this.#counters.get(sessionId) ?? 0)) this.#counters.set(sessionId, last);
    return Promise.resolve();
  }
}
