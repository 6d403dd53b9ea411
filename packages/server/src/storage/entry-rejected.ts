/**
 * An entry of a commit that cannot be stored as it is (its session is gone, or its lease is no
 * longer the session's): the store leaves that entry out and reports it, and the others commit.
 */
export class EntryRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryRejected';
  }
}

/**
 * An entry refused because the lease it was written under is no longer the session's current
 * one (fencing): another node took the session over, or the lease ran out. The writer then
 * knows it lost the session.
 */
export class LeaseLost extends EntryRejected {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLost';
  }
}
