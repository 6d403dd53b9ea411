/**
 * A node's claim on one live session, for running baton on many nodes over one PostgreSQL: the
 * node that holds a session's current lease is its owner (it runs the runner, allocates sequence
 * numbers and commits). Each new holder gets a higher `epoch`; a commit made under a lease is
 * stored only while that lease is still the session's current one (fencing), so a former owner
 * that was paused or cut off while another node took over can never append.
 *
 * Time is the database's clock, never a node's: nodes whose clocks disagree still agree on
 * whether a lease has run out.
 */
export interface SessionLease {
  readonly sessionId: string;
  /** The node holding it (a stable id per node process). */
  readonly owner: string;
  /** Increases with every new holder of the session's lease. */
  readonly epoch: number;
}

/** The lease operations of a store that serves many nodes (PgStore). */
export interface SessionLeases {
  /**
   * Takes the session's lease for `ttlMs` when it is free: never held, run out, released, or
   * held by this same owner (a restarted node fences its previous run). Undefined while another
   * owner holds it.
   */
  acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<SessionLease | undefined>;
  /** Extends the lease by `ttlMs` from now; false when it ran out or passed to another holder. */
  renewLease(lease: SessionLease, ttlMs: number): Promise<boolean>;
  /** Ends the lease now, so another node may take the session at once. */
  releaseLease(lease: SessionLease): Promise<void>;
}
