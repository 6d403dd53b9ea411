import { DeviceRegistry, applyRoster, type DevicePublicKeys, type SignedRoster } from '@baton/seal';
import type { SealingStore } from './sealing-store.js';

/**
 * What a device knows of one host's devices: the host's keys pinned from the pairing link and
 * the newest roster the host signed, checked with those keys. Shared by every session of the
 * host. The relay only carries rosters; it can neither make one (no host key) nor roll one back
 * (the applied version is kept in the store and only newer ones apply).
 */
export class HostTrust {
  readonly registry = new DeviceRegistry();
  #applied: SignedRoster | undefined;
  #applying: Promise<void> = Promise.resolve();

  private constructor(
    readonly host: DevicePublicKeys,
    private readonly store: SealingStore,
  ) {
    // The pinned keys, not the roster's word, say who the host is.
    this.registry.add(host);
  }

  /** The trust of `hostId` from the store: undefined when this device never paired with it. */
  static async load(store: SealingStore, hostId: string): Promise<HostTrust | undefined> {
    const host = await store.hostKeys(hostId);
    if (!host) return undefined;
    const trust = new HostTrust(host, store);
    const saved = await store.roster(hostId);
    // Checked again: the store is this device's, but a roster is only ever taken signed.
    if (saved) await trust.apply(saved);
    return trust;
  }

  /** The version of the newest roster applied (0: none yet). */
  get version(): number {
    return this.#applied?.version ?? 0;
  }

  /**
   * Applies a roster from the relay: checked with the pinned host key and newer than the one
   * applied, then kept. The same roster again is a no-op; another roster with the same or an
   * older version is refused (`replayed`): the relay showing an old list of devices would hide
   * a revocation. Calls run one at a time.
   */
  apply(roster: unknown): Promise<void> {
    const run = this.#applying.then(async () => {
      if (roster === null || roster === undefined) return;
      const applied = this.#applied;
      if (applied && sameRoster(applied, roster)) return;
      const version = await applyRoster(this.registry, roster, {
        host: this.host,
        appliedVersion: this.version,
      });
      // applyRoster checked its shape and signature.
      this.#applied = { ...(roster as SignedRoster), version };
      await this.store.saveRoster(this.host.deviceId, this.#applied);
    });
    this.#applying = run.catch(() => undefined);
    return run;
  }

  /** Whether the host's roster revokes `deviceId` (this device: it opens nothing new). */
  isRevoked(deviceId: string): boolean {
    return this.registry.isRevoked(deviceId);
  }
}

function sameRoster(applied: SignedRoster, other: unknown): boolean {
  const candidate = other as Partial<SignedRoster> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.version === applied.version &&
    candidate.signature === applied.signature
  );
}
