import type { PairingState, Role } from '@baton/protocol';
import type { DeviceRegistry } from './device-registry.js';
import { grantHash, type Grants } from './grants.js';
import { randomId } from './tokens.js';

/** How long a pairing's state can still be asked for after it expired. */
const KEEP_AFTER_EXPIRY_MS = 10 * 60_000;
/** Pairings remembered at once; the oldest go first (each is a few hundred bytes). */
const MAX_PAIRINGS = 1_000;

interface Pairing {
  codeHash: string;
  expiresAt: number;
  role: Role;
  sessionId?: string;
  name?: string;
}

/**
 * Lets the owner who issued a pairing code see when a device redeems it (`baton pair` and "Add a
 * device" show "paired: <name>"), without the code itself ever travelling again: each pairing
 * gets a random id, and the state is read from the grant. Kept in memory only; after
 * a restart an old id is unknown (the code itself still works until it expires).
 */
export class PairingWatch {
  private readonly byId = new Map<string, Pairing>();

  constructor(
    private readonly grants: Grants,
    private readonly devices: DeviceRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  /** Remembers an issued code; returns the id to ask about it. */
  add(code: string, pairing: Omit<Pairing, 'codeHash'>): string {
    this.prune();
    const id = 'pr_' + randomId(20);
    this.byId.set(id, { ...pairing, codeHash: grantHash(code) });
    return id;
  }

  /** The pairing's state, or undefined for an unknown (or long expired) id. */
  async state(id: string): Promise<
    | {
        state: PairingState;
        expiresAt: number;
        role: Role;
        sessionId?: string;
        name?: string;
        device?: { id: string; name: string };
      }
    | undefined
  > {
    const p = this.byId.get(id);
    if (!p) return undefined;
    const deviceId = await this.grants.spentBy(p.codeHash);
    const { codeHash: _, ...out } = p;
    if (deviceId !== undefined) {
      const name = this.devices.list().find((d) => d.id === deviceId)?.name ?? deviceId;
      return { ...out, state: 'paired', device: { id: deviceId, name } };
    }
    return { ...out, state: this.now() >= p.expiresAt ? 'expired' : 'waiting' };
  }

  private prune(): void {
    const t = this.now();
    for (const [id, p] of this.byId)
      if (t - p.expiresAt > KEEP_AFTER_EXPIRY_MS) this.byId.delete(id);
    // A Map iterates in insertion order: the oldest pairings go first.
    for (const id of this.byId.keys()) {
      if (this.byId.size < MAX_PAIRINGS) break;
      this.byId.delete(id);
    }
  }
}
