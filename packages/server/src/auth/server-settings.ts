import { Role, type ServerSettings as Settings } from '@baton/protocol';
import type { Store } from '../storage/store.js';

const AUDIT_READ_ROLE = 'audit_read_role';

/**
 * Settings the owner changes at run time, kept in the store's `meta` table. Read on every
 * check (AccessControl), so a change applies to open connections at once. Written to the store
 * before memory changes: a failed write changes nothing.
 */
export class ServerSettings {
  private constructor(
    private readonly store: Store,
    private current: Settings,
  ) {}

  static async open(store: Store): Promise<ServerSettings> {
    const stored = Role.safeParse(await store.getMeta(AUDIT_READ_ROLE));
    return new ServerSettings(store, { auditReadRole: stored.success ? stored.data : 'owner' });
  }

  get(): Settings {
    return { ...this.current };
  }

  /** The least role that may read the audit log (`owner` unless the owner opened it). */
  get auditReadRole(): Role {
    return this.current.auditReadRole;
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    if (patch.auditReadRole !== undefined && patch.auditReadRole !== this.current.auditReadRole) {
      await this.store.setMeta(AUDIT_READ_ROLE, patch.auditReadRole);
      this.current = { ...this.current, auditReadRole: patch.auditReadRole };
    }
    return this.get();
  }
}
