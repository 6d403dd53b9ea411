import { readFileSync, writeFileSync, existsSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceRecord, Store } from '../storage/store.js';
import { hashToken, newDeviceId, newDeviceToken, newOwnerToken, sameHash } from './tokens.js';

export interface AuthenticatedDevice {
  id: string;
  name: string;
  /** The owner credential: may register and revoke devices. */
  isOwner: boolean;
}

export const OWNER_DEVICE: Omit<AuthenticatedDevice, 'isOwner'> = { id: 'owner', name: 'owner' };

/**
 * Credentials: one owner token (created on first start, or fixed with BATON_TOKEN) and one token
 * per registered device. Only hashes are stored in the database. A created owner token is also
 * kept in `<data>/owner-token` (mode 0600) so the CLI on the same machine can use it. A fixed
 * token is never written to disk: whoever set BATON_TOKEN has it already, and an `owner-token`
 * file holding another token (from before BATON_TOKEN was set) is removed, because it no longer
 * signs anyone in.
 */
export class DeviceRegistry {
  private readonly byHash = new Map<string, DeviceRecord>();
  /** The same records by device id: `seen` runs on every request and hello. */
  private readonly byId = new Map<string, DeviceRecord>();

  private constructor(
    private readonly store: Store,
    private readonly ownerHash: string,
  ) {}

  static async open(
    store: Store,
    dataDir: string,
    fixedToken: string | undefined,
  ): Promise<{ registry: DeviceRegistry; ownerToken: string; created: boolean }> {
    const file = join(dataDir, 'owner-token');
    let ownerToken = fixedToken;
    let created = false;
    if (ownerToken !== undefined) {
      const onDisk = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
      if (onDisk !== undefined && onDisk !== ownerToken) rmSync(file, { force: true });
    } else {
      const storedHash = await store.getMeta('owner_token_hash');
      const onDisk = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
      if (onDisk && (!storedHash || sameHash(hashToken(onDisk), storedHash))) {
        ownerToken = onDisk;
      } else {
        ownerToken = newOwnerToken();
        created = true;
        writeFileSync(file, ownerToken + '\n', { mode: 0o600 });
        chmodSync(file, 0o600);
      }
    }
    const ownerHash = hashToken(ownerToken);
    // Written only when it changed: a restart on a full disk must not need a write.
    if ((await store.getMeta('owner_token_hash')) !== ownerHash)
      await store.setMeta('owner_token_hash', ownerHash);
    const registry = new DeviceRegistry(store, ownerHash);
    for (const d of await store.listDevices()) registry.remember(d);
    return { registry, ownerToken, created };
  }

  /** The device a token belongs to, or undefined for a missing, unknown or revoked token. */
  authenticate(token: string | undefined): AuthenticatedDevice | undefined {
    if (!token) return undefined;
    const hash = hashToken(token);
    if (sameHash(hash, this.ownerHash)) return { ...OWNER_DEVICE, isOwner: true };
    const d = this.byHash.get(hash);
    if (!d || d.revokedAt !== undefined) return undefined;
    return { id: d.id, name: d.name, isOwner: false };
  }

  async register(name: string): Promise<{ deviceId: string; token: string; name: string }> {
    const token = newDeviceToken();
    const now = Date.now();
    const record: DeviceRecord = {
      id: newDeviceId(),
      name,
      tokenHash: hashToken(token),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.store.insertDevice(record);
    this.remember(record);
    return { deviceId: record.id, token, name };
  }

  list(): { id: string; name: string; createdAt: number; lastSeenAt: number; revoked: boolean }[] {
    return [...this.byHash.values()].map((d) => ({
      id: d.id,
      name: d.name,
      createdAt: d.createdAt,
      lastSeenAt: d.lastSeenAt,
      revoked: d.revokedAt !== undefined,
    }));
  }

  async revoke(id: string): Promise<boolean> {
    const now = Date.now();
    const ok = await this.store.revokeDevice(id, now);
    const d = this.byId.get(id);
    if (d && d.revokedAt === undefined) d.revokedAt = now;
    return ok;
  }

  /** Records that a device was seen (at most once a minute per device, off the hot path). */
  seen(id: string): void {
    const d = this.byId.get(id);
    if (!d) return;
    const now = Date.now();
    if (now - d.lastSeenAt < 60_000) return;
    d.lastSeenAt = now;
    // Last-seen is advisory: a failed write is retried on the next sighting a minute later, and
    // the store's own health reporting covers a store that keeps failing.
    this.store.touchDevice(id, now).catch(() => undefined);
  }

  private remember(d: DeviceRecord): void {
    this.byHash.set(d.tokenHash, d);
    this.byId.set(d.id, d);
  }
}
