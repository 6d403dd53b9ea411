import type { SessionLease } from '../storage/session-lease.js';

/**
 * Whether this node owns one session, as a named state machine:
 *
 *   following ──claim()──▶ claiming ──claimed(lease)──▶ owning
 *       ▲                     │                          │
 *       └────── unclaimed() ──┘                          │
 *       └──────────────────────── lost() ────────────────┘
 *
 * - following: another node (or none yet) owns it; this node applies its committed events from
 *   the store and forwards requests. Its log state carries NOT_OWNER, so nothing is appended.
 * - claiming: the lease was asked for; until the answer, the node still follows.
 * - owning: this node holds the lease; it runs the runner, allocates and commits under it.
 *
 * Every transition is here; ClusterNode only calls them.
 */
export type OwnershipState =
  { state: 'following' } | { state: 'claiming' } | { state: 'owning'; lease: SessionLease };

export class SessionOwnership {
  private current: OwnershipState = { state: 'following' };

  get state(): OwnershipState['state'] {
    return this.current.state;
  }

  /** The lease while owning. */
  get lease(): SessionLease | undefined {
    return this.current.state === 'owning' ? this.current.lease : undefined;
  }

  /** following → claiming; false (and nothing changes) from any other state. */
  claim(): boolean {
    if (this.current.state !== 'following') return false;
    this.current = { state: 'claiming' };
    return true;
  }

  /** claiming → owning. */
  claimed(lease: SessionLease): void {
    if (this.current.state !== 'claiming') throw new Error(`claimed while ${this.current.state}`);
    this.current = { state: 'owning', lease };
  }

  /** claiming → following: another node holds the lease, or asking failed. */
  unclaimed(): void {
    if (this.current.state === 'claiming') this.current = { state: 'following' };
  }

  /** owning → following: the lease could not be renewed, or a commit was fenced. */
  lost(): SessionLease | undefined {
    const lease = this.lease;
    if (lease) this.current = { state: 'following' };
    return lease;
  }

  /** owning with a renewed lease (same epoch). */
  renewed(lease: SessionLease): void {
    if (this.current.state === 'owning' && this.current.lease.epoch === lease.epoch)
      this.current = { state: 'owning', lease };
  }
}
