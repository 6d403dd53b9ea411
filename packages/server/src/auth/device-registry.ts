import { readFileSync, writeFileSync, existsSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { narrowerRole, type Role } from '@baton/protocol';
import type { DeviceRecord, Store } from '../storage/store.js';
import { TokenHashCache } from './token-hash-cache.js';
import { hashToken, newDeviceId, newDeviceToken, newOwnerToken, sameHash } from './tokens.js';

export interface AuthenticatedDevice {
  id: string;
  name: string;
  /** The device's role as it was when it authenticated; `roleOn` gives the current one. */
  role: Role;
  /** The one session this device may see, if it was paired or handed off for one. */
  sessionScope?: string;
}

/** The owner token signs in as this device: it never appears in the devices table. */
export const OWNER_DEVICE: AuthenticatedDevice = { id: 'owner', name: 'owner', role: 'owner' };

/** A device as listed to clients (`GET /api/devices`). */
export interface DeviceListing {
  id: string;
  name: string;
  role: Role;
  sessionScope?: string;
  /** Per-session narrowings of `role`, by session id. */
  sessionRoles: Record<string, Role>;
  createdAt: number;
  lastSeenAt: number;
  revoked: boolean;
  /** The connection modes it was seen in, most recent first. */
  modes: string[];
  /** The built-in owner (the owner token), which has no row in the devices table. */
  builtIn?: boolean;
}

/** How many distinct connection modes a device remembers. */
const MODES_KEPT = 7;

/**
 * Credentials and roles: one owner token (created on first start, or fixed with BATON_TOKEN) and
 * one token per registered device. Only hashes are stored in the database. A created owner token
 * is also kept in `<data>/owner-token` (mode 0600) so the CLI on the same machine can use it. A
 * fixed token is never written to disk: whoever set BATON_TOKEN has it already, and an
 * `owner-token` file holding another token (from before BATON_TOKEN was set) is removed, because
 * it no longer signs anyone in.
 *
 * Roles are looked up here on every action (`roleOn`), never cached on a connection, so a role
 * change or a revocation applies to a device's open sockets at once. The maps are the truth
 * between restarts; every change is written to the store before the map changes, so a failed
 * write changes nothing.
 */
export class DeviceRegistry {
  private readonly tokenHashes = new TokenHashCache();
  private readonly byHash = new Map<string, DeviceRecord>();
  /** The same records by device id: `seen` and `roleOn` run on every request and frame. */
  private readonly byId = new Map<string, DeviceRecord>();
  /** device id → session id → narrowed role. */
  private readonly sessionRoles = new Map<string, Map<string, Role>>();
  /** The built-in owner has no row: when it was last seen and in which modes, this run only. */
  private readonly owner = { lastSeenAt: Date.now(), modes: [] as string[] };
  /**
   * Counts the changes this node made to the maps (pairings, renames, roles, revocations). A
   * refresh whose reads overlap one of them may have read the store before it: see `refresh`.
   */
  private localChanges = 0;

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
    for (const r of await store.listSessionRoles())
      registry.rememberSessionRole(r.deviceId, r.sessionId, r.role);
    return { registry, ownerToken, created };
  }

  /** The device a token belongs to, or undefined for a missing, unknown or revoked token. */
  authenticate(token: string | undefined): AuthenticatedDevice | undefined {
    if (!token) return undefined;
    const hash = this.tokenHashes.of(token);
    if (sameHash(hash, this.ownerHash)) return OWNER_DEVICE;
    const d = this.byHash.get(hash);
    if (!d || d.revokedAt !== undefined) return undefined;
    return describe(d);
  }

  /** The device as it is now, or undefined when it is unknown or revoked. */
  current(deviceId: string): AuthenticatedDevice | undefined {
    if (deviceId === OWNER_DEVICE.id) return OWNER_DEVICE;
    const d = this.byId.get(deviceId);
    if (!d || d.revokedAt !== undefined) return undefined;
    return describe(d);
  }

  /** The device's name, revoked or not (it still sent what it sent); undefined when unknown. */
  nameOf(deviceId: string): string | undefined {
    if (deviceId === OWNER_DEVICE.id) return OWNER_DEVICE.name;
    return this.byId.get(deviceId)?.name;
  }

  /**
   * The device's role on one session now: its own role, narrowed by a per-session role; undefined
   * when it may not see the session at all (revoked, unknown, or limited to another session).
   */
  roleOn(deviceId: string, sessionId: string): Role | undefined {
    // Asked for every frame that acts on a session: reads the record, builds nothing.
    if (deviceId === OWNER_DEVICE.id) return OWNER_DEVICE.role;
    const d = this.byId.get(deviceId);
    if (!d || d.revokedAt !== undefined) return undefined;
    if (d.sessionScope !== undefined && d.sessionScope !== sessionId) return undefined;
    const narrowed = this.sessionRoles.get(deviceId)?.get(sessionId);
    return narrowed === undefined ? d.role : narrowerRole(d.role, narrowed);
  }

  /** Registers a device; `id` is chosen beforehand when a redeemed grant must name it. */
  async register(
    name: string,
    role: Role = 'owner',
    sessionScope?: string,
    /** Chosen beforehand when something must name the device before it exists (a spent grant). */
    id: string = newDeviceId(),
  ): Promise<{ deviceId: string; token: string; name: string; role: Role; sessionScope?: string }> {
    const token = newDeviceToken();
    const now = Date.now();
    const record: DeviceRecord = {
      id,
      name,
      tokenHash: hashToken(token),
      createdAt: now,
      lastSeenAt: now,
      role,
    };
    if (sessionScope !== undefined) record.sessionScope = sessionScope;
    await this.store.insertDevice(record);
    this.remember(record);
    this.localChanges++;
    return sessionScope === undefined
      ? { deviceId: record.id, token, name, role }
      : { deviceId: record.id, token, name, role, sessionScope };
  }

  /** Every device, the built-in owner first. */
  list(): DeviceListing[] {
    const owner: DeviceListing = {
      id: OWNER_DEVICE.id,
      name: OWNER_DEVICE.name,
      role: 'owner',
      sessionRoles: {},
      createdAt: 0,
      lastSeenAt: this.owner.lastSeenAt,
      revoked: false,
      modes: [...this.owner.modes],
      builtIn: true,
    };
    return [
      owner,
      ...[...this.byId.values()].map((d) => {
        const listing: DeviceListing = {
          id: d.id,
          name: d.name,
          role: d.role,
          sessionRoles: this.sessionRolesOf(d.id),
          createdAt: d.createdAt,
          lastSeenAt: d.lastSeenAt,
          revoked: d.revokedAt !== undefined,
          modes: [...(d.modes ?? [])],
        };
        if (d.sessionScope !== undefined) listing.sessionScope = d.sessionScope;
        return listing;
      }),
    ];
  }

  /** A device's per-session narrowings, by session id. */
  sessionRolesOf(deviceId: string): Record<string, Role> {
    return Object.fromEntries(this.sessionRoles.get(deviceId) ?? []);
  }

  /**
   * Records the mode a device connected in (most recent first). Written only when the list
   * changes, which is rare: a device connects in the same few modes again and again.
   */
  noteMode(id: string, mode: string): void {
    const record = id === OWNER_DEVICE.id ? this.owner : this.byId.get(id);
    if (!record) return;
    const modes = record.modes ?? [];
    if (modes[0] === mode) return;
    const next = [mode, ...modes.filter((m) => m !== mode)].slice(0, MODES_KEPT);
    record.modes = next;
    if (id === OWNER_DEVICE.id) return;
    // Advisory like last-seen: a failed write is written again the next time the order changes.
    this.store.updateDevice(id, { modes: next }).catch(() => undefined);
  }

  async revoke(id: string): Promise<boolean> {
    const now = Date.now();
    const ok = await this.store.revokeDevice(id, now);
    const d = this.byId.get(id);
    if (d && d.revokedAt === undefined) d.revokedAt = now;
    this.localChanges++;
    return ok;
  }

  /** Renames a device and/or changes its role; false when there is no such active device. */
  async update(id: string, patch: { name?: string; role?: Role }): Promise<boolean> {
    const d = this.byId.get(id);
    if (!d || d.revokedAt !== undefined) return false;
    if (!(await this.store.updateDevice(id, patch))) return false;
    if (patch.name !== undefined) d.name = patch.name;
    if (patch.role !== undefined) d.role = patch.role;
    this.localChanges++;
    return true;
  }

  /** Narrows a device's role on one session (`null` removes the narrowing). */
  async setSessionRole(deviceId: string, sessionId: string, role: Role | null): Promise<void> {
    await this.store.setSessionRole(deviceId, sessionId, role);
    if (role === null) this.sessionRoles.get(deviceId)?.delete(sessionId);
    else this.rememberSessionRole(deviceId, sessionId, role);
    this.localChanges++;
  }

  /** Forgets the per-session roles of a deleted session (the store deletes its rows itself). */
  forgetSession(sessionId: string): void {
    for (const roles of this.sessionRoles.values()) roles.delete(sessionId);
    this.localChanges++;
  }

  /** Records that a device was seen (at most once a minute per device, off the hot path). */
  seen(id: string): void {
    if (id === OWNER_DEVICE.id) {
      // Same granularity as the stored devices: a listing does not change with every request.
      if (Date.now() - this.owner.lastSeenAt >= 60_000) this.owner.lastSeenAt = Date.now();
      return;
    }
    const d = this.byId.get(id);
    if (!d) return;
    const now = Date.now();
    if (now - d.lastSeenAt < 60_000) return;
    d.lastSeenAt = now;
    // Last-seen is advisory: a failed write is retried on the next sighting a minute later, and
    // the store's own health reporting covers a store that keeps failing.
    this.store.touchDevice(id, now).catch(() => undefined);
  }

  /**
   * Reads every device and per-session role again from the store: with many nodes, a device
   * paired, renamed, narrowed or revoked on another node is seen here from the next refresh on.
   * Both reads finish before anything is replaced, so a lookup never sees half of them.
   *
   * A change this node made while the reads were under way may be missing from them (the read
   * can come before its store write): replacing the maps then would drop it, and a device paired
   * here a moment ago would be refused here until the next refresh. Such a refresh replaces
   * nothing; the next one reads again, and the maps meanwhile hold every change made here.
   */
  async refresh(): Promise<void> {
    const before = this.localChanges;
    const devices = await this.store.listDevices();
    const roles = await this.store.listSessionRoles();
    if (this.localChanges !== before) return;
    this.byHash.clear();
    this.byId.clear();
    this.sessionRoles.clear();
    for (const d of devices) this.remember(d);
    for (const r of roles) this.rememberSessionRole(r.deviceId, r.sessionId, r.role);
  }

  private remember(d: DeviceRecord): void {
    this.byHash.set(d.tokenHash, d);
    this.byId.set(d.id, d);
  }

  private rememberSessionRole(deviceId: string, sessionId: string, role: Role): void {
    let roles = this.sessionRoles.get(deviceId);
    if (!roles) this.sessionRoles.set(deviceId, (roles = new Map()));
    roles.set(sessionId, role);
  }
}

function describe(d: DeviceRecord): AuthenticatedDevice {
  const device: AuthenticatedDevice = { id: d.id, name: d.name, role: d.role };
  if (d.sessionScope !== undefined) device.sessionScope = d.sessionScope;
  return device;
}
