import type pg from 'pg';
import type { SessionLease } from './session-lease.js';

/**
 * The SQL of PostgreSQL session leases (SessionLeases), on the `session_leases` table. Every time
 * is `clock_timestamp()` on the database server: one clock for every node.
 */

export async function acquireLease(
  pool: pg.Pool,
  sessionId: string,
  owner: string,
  ttlMs: number,
): Promise<SessionLease | undefined> {
  // The conflict branch updates only a lease that is free or already this owner's; it takes the
  // row lock, so it waits for a commit holding the lease FOR SHARE (fencedEntryCheck) to finish.
  const r = await pool.query<{ epoch: number }>(
    `INSERT INTO session_leases AS l (session_id, owner, epoch, expires_at)
     VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')
     ON CONFLICT (session_id) DO UPDATE
       SET owner = excluded.owner, epoch = l.epoch + 1, expires_at = excluded.expires_at
       WHERE l.expires_at <= clock_timestamp() OR l.owner = excluded.owner
     RETURNING epoch`,
    [sessionId, owner, ttlMs],
  );
  const row = r.rows[0];
  return row ? { sessionId, owner, epoch: row.epoch } : undefined;
}

export async function renewLease(
  pool: pg.Pool,
  lease: SessionLease,
  ttlMs: number,
): Promise<boolean> {
  const r = await pool.query(
    `UPDATE session_leases SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
     WHERE session_id = $1 AND owner = $2 AND epoch = $3 AND expires_at > clock_timestamp()`,
    [lease.sessionId, lease.owner, lease.epoch, ttlMs],
  );
  return r.rowCount === 1;
}

export async function releaseLease(pool: pg.Pool, lease: SessionLease): Promise<void> {
  await pool.query(
    `UPDATE session_leases SET expires_at = clock_timestamp()
     WHERE session_id = $1 AND owner = $2 AND epoch = $3 AND expires_at > clock_timestamp()`,
    [lease.sessionId, lease.owner, lease.epoch],
  );
}

/**
 * The fencing check of one commit entry, inside the commit's transaction: true while `lease` is
 * the session's current, unexpired lease. FOR SHARE keeps the lease row as it is until the
 * commit ends, so a takeover (acquireLease's update) waits for this commit and then sees its
 * events; and a takeover that committed first is seen here (read committed re-reads the updated
 * row) and the entry is refused. Either way no append lands after another node took over.
 */
export async function fencedEntryCheck(c: pg.PoolClient, lease: SessionLease): Promise<boolean> {
  const r = await c.query({
    name: 'baton-lease-check',
    text: `SELECT 1 FROM session_leases
           WHERE session_id = $1 AND owner = $2 AND epoch = $3 AND expires_at > clock_timestamp()
           FOR SHARE`,
    values: [lease.sessionId, lease.owner, lease.epoch],
  });
  return r.rowCount === 1;
}
