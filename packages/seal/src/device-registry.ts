import { importSigningKey, type DevicePublicKeys } from './device-identity.js';
import { SealError } from './seal-error.js';
import { refuseWeakKeys } from './weak-public-key.js';
import { type CryptoKey } from './webcrypto-types.js';

/**
 * A device's revocation: from when its envelopes stop counting. Revocation is ordered by the
 * device's own counter, not by wall-clock time, because every verifier sees the counter and
 * none can trust a timestamp: in each session, envelopes with a counter up to the cut-off (what
 * the host had accepted from the device when it revoked it) stay valid history; anything later
 * is refused. A session the map does not name has cut-off 0: nothing from the device counts.
 */
export interface Revocation {
  readonly cutoffs: Readonly<Record<string, number>>;
}

interface Entry {
  readonly publicKeys: DevicePublicKeys;
  signingKey: Promise<CryptoKey> | undefined;
  revocation: Revocation | undefined;
}

/**
 * The public keys of the devices a verifier knows, and which of them are revoked. Holds no
 * secret: the relay keeps one to refuse forgeries and revoked authors, and so does every client.
 */
export class DeviceRegistry {
  readonly #devices = new Map<string, Entry>();

  /**
   * Registers a device's public keys. A device id keeps its keys: re-adding others is refused,
   * and so are weak keys (`weak_key`), which would let anyone sign as the device.
   */
  add(publicKeys: DevicePublicKeys): void {
    refuseWeakKeys(publicKeys, `device ${publicKeys.deviceId}`);
    const existing = this.#devices.get(publicKeys.deviceId);
    if (existing) {
      const same =
        existing.publicKeys.signingKey === publicKeys.signingKey &&
        existing.publicKeys.agreementKey === publicKeys.agreementKey;
      if (!same) {
        throw new SealError(
          'context_mismatch',
          `device ${publicKeys.deviceId} is registered with other keys; pair it as a new device`,
        );
      }
      return;
    }
    this.#devices.set(publicKeys.deviceId, {
      publicKeys,
      signingKey: undefined,
      revocation: undefined,
    });
  }

  get(deviceId: string): DevicePublicKeys | undefined {
    return this.#devices.get(deviceId)?.publicKeys;
  }

  /** Devices not revoked: the ones a rotated session key is wrapped to. */
  active(): DevicePublicKeys[] {
    return [...this.#devices.values()].filter((e) => !e.revocation).map((e) => e.publicKeys);
  }

  revoke(deviceId: string, revocation: Revocation): void {
    const entry = this.#devices.get(deviceId);
    if (!entry) throw new SealError('unknown_device', `device ${deviceId} is not registered`);
    entry.revocation = revocation;
  }

  revocationOf(deviceId: string): Revocation | undefined {
    return this.#devices.get(deviceId)?.revocation;
  }

  /** Every registered device, revoked ones included (their history still verifies). */
  all(): DevicePublicKeys[] {
    return [...this.#devices.values()].map((e) => e.publicKeys);
  }

  isRevoked(deviceId: string): boolean {
    return this.#devices.get(deviceId)?.revocation !== undefined;
  }

  /**
   * The verify key of `deviceId` for an envelope with `counter` in `sessionId`; refuses unknown
   * devices and envelopes past a revoked device's cut-off.
   */
  async signingKeyFor(deviceId: string, sessionId: string, counter: number): Promise<CryptoKey> {
    const entry = this.#devices.get(deviceId);
    if (!entry) throw new SealError('unknown_device', `device ${deviceId} is not registered`);
    if (entry.revocation) {
      // Own properties only: a session named like an Object.prototype member has no cut-off.
      const cutoffs = entry.revocation.cutoffs;
      const cutoff = Object.hasOwn(cutoffs, sessionId) ? (cutoffs[sessionId] ?? 0) : 0;
      if (counter > cutoff) {
        throw new SealError(
          'revoked_device',
          `device ${deviceId} was revoked; its envelopes after counter ${cutoff} in ${sessionId} are refused`,
        );
      }
    }
    entry.signingKey ??= importSigningKey(entry.publicKeys.signingKey);
    return entry.signingKey;
  }
}
