import pg from 'pg';
import type { Logger } from '../logger.js';
import {
  decodeSignal,
  encodeSignal,
  type ClusterBus,
  type ClusterSignal,
  type ForwardedRequest,
  type PresenceRow,
  type SessionHead,
} from '../cluster/cluster-bus.js';
import type { SessionLease } from './session-lease.js';

/** How long after a broken LISTEN connection it is opened again. */
const RELISTEN_AFTER_MS = 1_000;

/**
 * The cluster bus on PostgreSQL: NOTIFY/LISTEN on one channel per schema (channels are
 * database-wide, so two baton schemas in one database never hear each other), the
 * `forwarded_commands` table, batch lease renewal on `session_leases`, and `cluster_presence`.
 * Presence ages by PostgreSQL's clock alone, so the nodes' clocks need not agree.
 */
export class PgClusterBus implements ClusterBus {
  private readonly channel: string;
  private listener: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connection: pg.ClientConfig,
    schema: string,
    private readonly log: Logger | undefined,
  ) {
    // An identifier is at most 63 bytes; schema names are checked by pg-target to be plain.
    this.channel = `baton_${schema}`.slice(0, 63);
  }

  async listen(onSignal: (signal: ClusterSignal) => void, onResumed: () => void): Promise<void> {
    const client = new pg.Client({ ...this.connection, application_name: 'baton listen' });
    const broken = (err?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => {});
      if (this.closed) return;
      this.log?.warn('the cluster LISTEN connection broke; listening again', {
        error: err?.message ?? 'ended',
      });
      this.relisten(onSignal, onResumed);
    };
    client.on('notification', (n) => {
      const signal = n.channel === this.channel ? decodeSignal(n.payload ?? '') : undefined;
      if (signal) onSignal(signal);
    });
    client.on('error', broken);
    client.on('end', () => broken());
    // Watched (`broken`) only once listening: a failure before that is the caller's to handle.
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
  }

  /** Listens again after RELISTEN_AFTER_MS, and again after that until it works or is closed. */
  private relisten(onSignal: (signal: ClusterSignal) => void, onResumed: () => void): void {
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed) return;
      this.listen(onSignal, onResumed).then(onResumed, () => this.relisten(onSignal, onResumed));
    }, RELISTEN_AFTER_MS);
  }

  async signal(signal: ClusterSignal): Promise<void> {
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, encodeSignal(signal)]);
    } catch (err) {
      this.log?.warn('a cluster notification was not sent; the poll makes up for it', {
        error: (err as Error).message,
      });
    }
  }

  async sessionHeads(): Promise<SessionHead[]> {
    const r = await this.pool.query<{
      id: string;
      head_seq: number;
      first_seq: number;
      leased: boolean;
    }>(
      `SELECT s.id, s.head_seq, s.first_seq,
              COALESCE(l.expires_at > clock_timestamp(), false) AS leased
       FROM sessions s LEFT JOIN session_leases l ON l.session_id = s.id`,
    );
    return r.rows.map((row) => ({
      id: row.id,
      headSeq: row.head_seq,
      firstSeq: row.first_seq,
      leased: row.leased,
    }));
  }

  async renewLeases(leases: readonly SessionLease[], ttlMs: number): Promise<SessionLease[]> {
    if (leases.length === 0) return [];
    const owner = leases[0]!.owner;
    const r = await this.pool.query<{ session_id: string; epoch: number }>(
      `UPDATE session_leases SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
       FROM unnest($2::text[], $3::bigint[]) AS mine(session_id, epoch)
       WHERE session_leases.session_id = mine.session_id AND session_leases.epoch = mine.epoch
         AND session_leases.owner = $1 AND session_leases.expires_at > clock_timestamp()
       RETURNING session_leases.session_id, session_leases.epoch`,
      [owner, leases.map((l) => l.sessionId), leases.map((l) => l.epoch), ttlMs],
    );
    const kept = new Set(r.rows.map((row) => `${row.session_id}\n${row.epoch}`));
    return leases.filter((l) => kept.has(`${l.sessionId}\n${l.epoch}`));
  }

  async forward(sessionId: string, node: string, body: string): Promise<number> {
    const r = await this.pool.query<{ id: number }>(
      `INSERT INTO forwarded_commands (session_id, node, body, created_at) VALUES ($1, $2, $3, $4)
       RETURNING id`,
      [sessionId, node, body, Date.now()],
    );
    return r.rows[0]!.id;
  }

  async openRequests(sessionIds: readonly string[]): Promise<ForwardedRequest[]> {
    if (sessionIds.length === 0) return [];
    const r = await this.pool.query<{ id: number; session_id: string; body: string }>(
      `SELECT id, session_id, body FROM forwarded_commands
       WHERE result IS NULL AND session_id = ANY($1::text[]) ORDER BY id LIMIT 1000`,
      [sessionIds],
    );
    return r.rows.map((row) => ({ id: row.id, sessionId: row.session_id, body: row.body }));
  }

  async answer(id: number, result: string): Promise<void> {
    await this.pool.query(
      'UPDATE forwarded_commands SET result = $2 WHERE id = $1 AND result IS NULL',
      [id, result],
    );
  }

  async takeAnswers(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const r = await this.pool.query<{ id: number; result: string }>(
      `DELETE FROM forwarded_commands WHERE id = ANY($1::bigint[]) AND result IS NOT NULL
       RETURNING id, result`,
      [ids],
    );
    return new Map(r.rows.map((row) => [row.id, row.result]));
  }

  async prune(ms: number): Promise<void> {
    await this.pool.query('DELETE FROM forwarded_commands WHERE created_at < $1', [
      Date.now() - ms,
    ]);
    // Rows of nodes that died long ago (already left out of every read by their age).
    await this.pool.query(
      `DELETE FROM cluster_presence WHERE renewed_at < clock_timestamp() - $1 * interval '1 millisecond'`,
      [ms],
    );
  }

  async publishPresence(node: string, sessionId: string, body: string | undefined): Promise<void> {
    if (body === undefined) {
      await this.pool.query('DELETE FROM cluster_presence WHERE node = $1 AND session_id = $2', [
        node,
        sessionId,
      ]);
      return;
    }
    await this.pool.query(
      `INSERT INTO cluster_presence (node, session_id, body, renewed_at)
       VALUES ($1, $2, $3, clock_timestamp())
       ON CONFLICT (node, session_id)
       DO UPDATE SET body = EXCLUDED.body, renewed_at = EXCLUDED.renewed_at`,
      [node, sessionId, body],
    );
  }

  async renewPresence(node: string): Promise<void> {
    await this.pool.query(
      'UPDATE cluster_presence SET renewed_at = clock_timestamp() WHERE node = $1',
      [node],
    );
  }

  async readPresence(node: string, freshMs: number, sessionId?: string): Promise<PresenceRow[]> {
    const r = await this.pool.query<{ node: string; session_id: string; body: string }>(
      `SELECT node, session_id, body FROM cluster_presence
       WHERE node <> $1 AND renewed_at > clock_timestamp() - $2 * interval '1 millisecond'
         AND ($3::text IS NULL OR session_id = $3)
       ORDER BY node, session_id`,
      [node, freshMs, sessionId ?? null],
    );
    return r.rows.map((row) => ({ node: row.node, sessionId: row.session_id, body: row.body }));
  }

  async clearPresence(node: string): Promise<void> {
    await this.pool.query('DELETE FROM cluster_presence WHERE node = $1', [node]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => {});
  }
}
