import pg from 'pg';
import type { Role } from '@baton/protocol';
import type { Logger } from '../logger.js';
import {
  inputKey,
  type AttachmentMeta,
  type AttachmentRecord,
  type AuditQueryRecord,
  type AuditRecord,
  type CommitEntry,
  type CommitOutcome,
  type DevicePatch,
  type DocumentRecord,
  type DeviceRecord,
  type GrantRecord,
  type InputKey,
  type NewAuditRecord,
  type PushSubscriptionRecord,
  type SealedKeyRecord,
  type SessionRecord,
  type SessionRoleRecord,
  type Store,
  type StoredEvent,
  type StoredInput,
} from './store.js';
import { EntryRejected, LeaseLost } from './entry-rejected.js';
import { migrate } from './pg-migrate.js';
import { USED_BEFORE_USES } from './portable-tables.js';
import { sessionGone } from './session-gone.js';
import {
  toAttachmentMeta,
  toAudit,
  toDevice,
  toGrant,
  toPushSubscription,
  toSession,
  type AttachmentRow,
  type AuditRow,
  type DeviceRow,
  type GrantRow,
  type PushRow,
  type SessionRow,
} from './store-rows.js';
import { PgSchemaLock } from './pg-schema-lock.js';
import { PgClusterBus } from './pg-cluster-bus.js';
import { parsePgTarget, type PgTarget } from './pg-target.js';
import { describePgOpenError } from './pg-open-error.js';
import { acquireLease, fencedEntryCheck, releaseLease, renewLease } from './pg-session-leases.js';
import type { SessionLease, SessionLeases } from './session-lease.js';
import { StoreOpenError } from './store-open-error.js';

export interface PgStoreOptions {
  /** Connections in the pool. Default 10: one commit at a time, reads beside it. */
  poolSize?: number;
  /** A query that takes longer fails (and its connection is dropped). Default 30 s. */
  queryTimeoutMs?: number;
  /** How long opening a connection may take. Default 10 s. */
  connectTimeoutMs?: number;
  /** Told about migrations and connections lost while idle. */
  log?: Logger;
  /**
   * Whether other nodes share the schema (each session under a lease, session-lease.ts): the
   * schema lock is then taken shared. Without it (the default) the schema is this server's
   * alone: PgSchemaLock refuses a second one, and nodes beside it.
   */
  sharedSchema?: boolean;
}

/** BIGINT (int8) comes back as text by default; baton's numbers (seq, ms) fit a double. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The store on PostgreSQL: every table in one schema of one database (`?schema=`, default
 * `baton`), shared by nothing else.
 *
 * Unlike SqliteStore, every call here yields to the event loop while the server answers. What
 * the hub relied on SQLite's synchronous calls for is written down where it is kept (LogWriter,
 * CatchUp in hub/catch-up.ts); this class only promises what the Store interface says.
 *
 * Transactions run at PostgreSQL's default isolation (read committed). The one writer of a
 * session's log is its LogWriter, which never runs two commits at once, so no commit can meet
 * another's uncommitted rows of the same session; a second writer (another node without a lease)
 * meets the primary keys instead, and its entry fails alone.
 *
 * Durability is PostgreSQL's own (`synchronous_commit`, replication): a commit that resolved is
 * as durable as the server is configured to make it. A connection lost during COMMIT leaves the
 * outcome unknown; `commit` then rejects, and the LogWriter reads the head back before it
 * allocates again.
 */
export class PgStore implements Store, SessionLeases {
  private constructor(
    private readonly pool: pg.Pool,
    /** Where it is connected, as it may be shown. */
    readonly target: Pick<PgTarget, 'schema' | 'shown'>,
    private readonly lock: PgSchemaLock | undefined,
    /** How its connections are opened: the cluster bus opens its LISTEN connection alike. */
    private readonly connection: pg.ClientConfig,
    private readonly log: Logger | undefined,
  ) {}

  /** What many nodes on this schema share besides the store: leases' upkeep, NOTIFY, forwarding. */
  clusterBus(): PgClusterBus {
    return new PgClusterBus(this.pool, this.connection, this.target.schema, this.log);
  }

  /**
   * Connects, creates the schema when missing and brings it to this baton's version. Refuses a
   * schema written by a newer baton, and an unreachable server, with a StoreOpenError that says
   * what to do.
   */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const target = parsePgTarget(url);
    const connection: pg.ClientConfig = {
      connectionString: target.connectionString,
      // Unqualified names resolve in baton's schema on every connection.
      options: `-c search_path=${target.schema}`,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'baton',
      types,
    };
    let lock: PgSchemaLock;
    try {
      lock = await PgSchemaLock.take(
        // Named for its schema, so an operator sees in pg_stat_activity which lock it holds.
        { ...connection, application_name: `baton lock ${target.schema}`.slice(0, 63) },
        target,
        options.log,
        // Many nodes hold it shared, all at once; a single server holds it alone.
        options.sharedSchema === true,
      );
    } catch (err) {
      if (err instanceof StoreOpenError) throw err;
      throw describePgOpenError(err, target.shown);
    }
    const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
    // An idle connection that breaks (PostgreSQL restarted) is dropped from the pool and logged;
    // unheard, the pool's `error` event would end the process.
    pool.on('error', (err) => {
      options.log?.warn('a PostgreSQL connection was lost while idle', { error: err.message });
    });
    try {
      await migrate(pool, target, options.log);
    } catch (err) {
      await pool.end().catch(() => {});
      await lock?.release();
      if (err instanceof StoreOpenError) throw err;
      throw describePgOpenError(err, target.shown);
    }
    return new PgStore(
      pool,
      { schema: target.schema, shown: target.shown },
      lock,
      connection,
      options.log,
    );
  }

  // ---- meta, devices, roles --------------------------------------------------------------------

  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [
      key,
    ]);
    return r.rows[0]?.value;
  }
  async setMeta(key: string, value: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  async putSealedKeys(rows: readonly SealedKeyRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.transaction(async (c) => {
      for (const r of rows)
        await c.query(
          `INSERT INTO sealed_keys (session_id, recipient, key_epoch, body) VALUES ($1, $2, $3, $4)
           ON CONFLICT (session_id, recipient, key_epoch) DO UPDATE SET body = excluded.body`,
          [r.sessionId, r.recipient, r.keyEpoch, r.body],
        );
    });
  }

  async listSealedKeys(): Promise<SealedKeyRecord[]> {
    const { rows } = await this.pool.query<{
      session_id: string;
      recipient: string;
      key_epoch: string;
      body: string;
    }>('SELECT session_id, recipient, key_epoch, body FROM sealed_keys');
    return rows.map((r) => ({
      sessionId: r.session_id,
      recipient: r.recipient,
      keyEpoch: Number(r.key_epoch),
      body: r.body,
    }));
  }

  async insertDevice(d: DeviceRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO devices (id, name, token_hash, created_at, last_seen_at, revoked_at, role, session_scope)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        d.id,
        d.name,
        d.tokenHash,
        d.createdAt,
        d.lastSeenAt,
        d.revokedAt ?? null,
        d.role,
        d.sessionScope ?? null,
      ],
    );
  }
  async findDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined> {
    const r = await this.pool.query<DeviceRow>('SELECT * FROM devices WHERE token_hash = $1', [
      tokenHash,
    ]);
    const row = r.rows[0];
    return row ? toDevice(row) : undefined;
  }
  async listDevices(): Promise<DeviceRecord[]> {
    const r = await this.pool.query<DeviceRow>('SELECT * FROM devices ORDER BY created_at, id');
    return r.rows.map(toDevice);
  }
  async touchDevice(id: string, at: number): Promise<void> {
    await this.pool.query('UPDATE devices SET last_seen_at = $1 WHERE id = $2', [at, id]);
  }
  async revokeDevice(id: string, at: number): Promise<boolean> {
    const r = await this.pool.query(
      'UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
      [at, id],
    );
    return r.rowCount === 1;
  }
  async updateDevice(id: string, patch: DevicePatch): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE devices SET name = COALESCE($2::text, name), role = COALESCE($3::text, role),
         modes = COALESCE($4::text, modes) WHERE id = $1`,
      [
        id,
        patch.name ?? null,
        patch.role ?? null,
        patch.modes === undefined ? null : patch.modes.join(','),
      ],
    );
    return r.rowCount === 1;
  }
  async setSessionRole(deviceId: string, sessionId: string, role: Role | null): Promise<void> {
    if (role === null) {
      await this.pool.query(
        'DELETE FROM device_session_roles WHERE device_id = $1 AND session_id = $2',
        [deviceId, sessionId],
      );
      return;
    }
    await this.pool.query(
      `INSERT INTO device_session_roles (device_id, session_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (device_id, session_id) DO UPDATE SET role = excluded.role`,
      [deviceId, sessionId, role],
    );
  }
  async listSessionRoles(): Promise<SessionRoleRecord[]> {
    const r = await this.pool.query<{ device_id: string; session_id: string; role: string }>(
      'SELECT device_id, session_id, role FROM device_session_roles ORDER BY device_id, session_id',
    );
    return r.rows.map((row) => ({
      deviceId: row.device_id,
      sessionId: row.session_id,
      role: row.role as Role,
    }));
  }

  // ---- audit -----------------------------------------------------------------------------------

  async appendAudit(entries: readonly NewAuditRecord[]): Promise<void> {
    if (entries.length === 0) return;
    // One statement: the rows are inserted, and take their identity ids, in ordinality order.
    await this.pool.query(
      `INSERT INTO audit (at, device_id, device_name, mode, role, action, session_id, detail)
       SELECT at, device_id, device_name, mode, role, action, session_id, detail
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                   $7::text[], $8::text[])
            WITH ORDINALITY AS a(at, device_id, device_name, mode, role, action, session_id, detail, n)
       ORDER BY n`,
      [
        entries.map((a) => a.at),
        entries.map((a) => a.deviceId),
        entries.map((a) => a.deviceName),
        entries.map((a) => a.mode),
        entries.map((a) => a.role),
        entries.map((a) => a.action),
        entries.map((a) => a.sessionId ?? null),
        entries.map((a) => a.detailJson ?? null),
      ],
    );
  }
  async readAudit(q: AuditQueryRecord): Promise<AuditRecord[]> {
    const r = await this.pool.query<AuditRow>(
      `SELECT * FROM audit WHERE id > $1
         AND ($2::text IS NULL OR session_id = $2)
         AND ($3::text IS NULL OR device_id = $3)
       ORDER BY id LIMIT $4`,
      [q.after, q.sessionId ?? null, q.deviceId ?? null, q.limit],
    );
    return r.rows.map(toAudit);
  }
  async pruneAudit(before: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM audit WHERE at < $1', [before]);
    return r.rowCount ?? 0;
  }

  // ---- grants and push subscriptions -------------------------------------------------------------

  async insertGrant(g: GrantRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO grants (code_hash, kind, role, session_scope, mode, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        g.codeHash,
        g.kind,
        g.role,
        g.sessionScope ?? null,
        g.mode ?? null,
        g.createdBy,
        g.createdAt,
        g.expiresAt,
      ],
    );
  }
  async findGrant(codeHash: string): Promise<GrantRecord | undefined> {
    const r = await this.pool.query<GrantRow>('SELECT * FROM grants WHERE code_hash = $1', [
      codeHash,
    ]);
    const row = r.rows[0];
    return row ? toGrant(row) : undefined;
  }
  async useGrant(codeHash: string, at: number, deviceId: string): Promise<boolean> {
    // The row lock of the UPDATE serializes concurrent redeemers; the second one re-reads the row
    // after the first committed, finds used_at set, and changes nothing.
    const r = await this.pool.query(
      'UPDATE grants SET used_at = $1, used_by = $2 WHERE code_hash = $3 AND used_at IS NULL',
      [at, deviceId, codeHash],
    );
    return r.rowCount === 1;
  }
  async putPushSubscription(s: PushSubscriptionRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO push_subscriptions (id, device_id, endpoint, p256dh, auth, prefs, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (endpoint) DO UPDATE SET id = excluded.id, device_id = excluded.device_id,
         p256dh = excluded.p256dh, auth = excluded.auth, prefs = excluded.prefs,
         created_at = excluded.created_at`,
      [s.id, s.deviceId, s.endpoint, s.p256dh, s.auth, s.prefs, s.createdAt],
    );
  }
  async listPushSubscriptions(): Promise<PushSubscriptionRecord[]> {
    const r = await this.pool.query<PushRow>(
      'SELECT * FROM push_subscriptions ORDER BY created_at, id',
    );
    return r.rows.map(toPushSubscription);
  }
  async setPushPrefs(id: string, prefs: string): Promise<boolean> {
    const r = await this.pool.query('UPDATE push_subscriptions SET prefs = $1 WHERE id = $2', [
      prefs,
      id,
    ]);
    return r.rowCount === 1;
  }
  async deletePushSubscription(id: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM push_subscriptions WHERE id = $1', [id]);
    return r.rowCount === 1;
  }
  async deleteDevicePushSubscriptions(deviceId: string): Promise<void> {
    await this.pool.query('DELETE FROM push_subscriptions WHERE device_id = $1', [deviceId]);
  }

  // ---- sessions ----------------------------------------------------------------------------------

  async insertSession(s: SessionRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO sessions (id, name, kind, status, reason, exit_code, config, created_at,
         last_activity_at, head_seq, first_seq, epoch, control)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        s.id,
        s.name,
        s.kind,
        s.status,
        s.reason ?? null,
        s.exitCode ?? null,
        s.config,
        s.createdAt,
        s.lastActivityAt,
        s.headSeq,
        s.firstSeq,
        s.epoch,
        s.control ?? null,
      ],
    );
  }
  async getSession(id: string): Promise<SessionRecord | undefined> {
    const r = await this.pool.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
    const row = r.rows[0];
    return row ? toSession(row) : undefined;
  }
  async listSessions(): Promise<SessionRecord[]> {
    const r = await this.pool.query<SessionRow>('SELECT * FROM sessions ORDER BY created_at, id');
    return r.rows.map(toSession);
  }
  async setSessionEpoch(id: string, epoch: string): Promise<void> {
    await this.pool.query('UPDATE sessions SET epoch = $1 WHERE id = $2', [epoch, id]);
  }
  async deleteSession(id: string): Promise<void> {
    await this.transaction(async (c) => {
      // The session row first: it waits for a commit of this session still in flight (which
      // holds the row), so the deletes after it see that commit's events and leave none behind;
      // a commit arriving later finds no row and is refused.
      await c.query('DELETE FROM sessions WHERE id = $1', [id]);
      for (const table of [
        'events',
        'inputs',
        'snapshots',
        'device_session_roles',
        'documents',
        'sealed_keys',
      ])
        await c.query(`DELETE FROM ${table} WHERE session_id = $1`, [id]);
      // Locked before the uses go (in id order: two deletes sharing attachments cannot
      // deadlock): a use another session adds meanwhile waits for this transaction on the
      // foreign key, and then finds the attachment kept (this delete saw its use) or gone (it
      // is refused, and the message naming it with it).
      const used = await c.query<{ id: string }>(
        `SELECT a.id FROM attachments AS a JOIN attachment_uses AS u ON u.attachment_id = a.id
         WHERE u.session_id = $1 ORDER BY a.id FOR UPDATE OF a`,
        [id],
      );
      await c.query('DELETE FROM attachment_uses WHERE session_id = $1', [id]);
      if (used.rows.length > 0)
        await c.query(
          `DELETE FROM attachments AS a WHERE a.id = ANY($1)
           AND NOT EXISTS (SELECT 1 FROM attachment_uses AS u WHERE u.attachment_id = a.id)`,
          [used.rows.map((r) => r.id)],
        );
    });
  }

  // ---- the log -----------------------------------------------------------------------------------

  async commit(batch: readonly CommitEntry[]): Promise<CommitOutcome> {
    const failed = new Map<string, Error>();
    if (batch.length === 0) return { failed };
    if (batch.length === 1) {
      // One entry needs no savepoint: when it fails, the whole transaction is that entry.
      const entry = batch[0]!;
      try {
        await this.transaction((c) => writeEntry(c, entry));
      } catch (err) {
        if (!isEntryError(err)) throw err;
        failed.set(entry.sessionId, err);
      }
      return { failed };
    }
    await this.transaction(async (c) => {
      for (const entry of batch) {
        // Each entry in its own savepoint: a constraint failure undoes that entry only and is
        // reported; any other error (the connection, the disk) propagates, and the whole
        // transaction rolls back.
        await c.query('SAVEPOINT entry');
        try {
          await writeEntry(c, entry);
          await c.query('RELEASE SAVEPOINT entry');
        } catch (err) {
          if (!isEntryError(err)) throw err;
          await c.query('ROLLBACK TO SAVEPOINT entry');
          await c.query('RELEASE SAVEPOINT entry');
          failed.set(entry.sessionId, err);
        }
      }
    });
    return { failed };
  }

  async inputIdCeiling(): Promise<string | undefined> {
    // Its inputs' key leads with the device, so the largest id is a scan of the session's keys:
    // not worth it on every takeover. Every key is looked up instead.
    return undefined;
  }

  async findInputs(
    sessionId: string,
    keys: readonly InputKey[],
  ): Promise<Map<string, StoredInput>> {
    const found = new Map<string, StoredInput>();
    if (keys.length === 0) return found;
    // Per key: the device's own row first; a row from before per-device dedupe (device '')
    // otherwise ('' sorts below every device id).
    const r = await this.pool.query<{
      device_id: string;
      input_id: string;
      seq: number;
      payload_digest: string | null;
    }>({
      name: 'baton-find-inputs',
      text: `SELECT DISTINCT ON (k.n) k.device_id, k.input_id, i.seq, i.payload_digest
             FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(device_id, input_id, n)
             JOIN inputs i ON i.session_id = $1 AND i.input_id = k.input_id
                          AND i.device_id IN (k.device_id, '')
             ORDER BY k.n, i.device_id DESC`,
      values: [sessionId, keys.map((k) => k.deviceId), keys.map((k) => k.inputId)],
    });
    for (const row of r.rows) {
      const stored: StoredInput = { seq: row.seq };
      if (row.payload_digest !== null) stored.payloadDigest = row.payload_digest;
      found.set(inputKey({ deviceId: row.device_id, inputId: row.input_id }), stored);
    }
    return found;
  }

  async readEvents(sessionId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const r = await this.pool.query<[number, number, string, string]>({
      name: 'baton-read-events',
      text: 'SELECT seq, ts, type, data FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      values: [sessionId, afterSeq, limit],
      rowMode: 'array',
    });
    return r.rows.map(([seq, ts, type, data]) => ({
      seq,
      ts,
      type: type as StoredEvent['type'],
      dataJson: data,
    }));
  }

  async putSnapshot(sessionId: string, seq: number, state: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO snapshots (session_id, seq, state, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, state = excluded.state,
         created_at = excluded.created_at`,
      [sessionId, seq, state, Date.now()],
    );
  }
  async getSnapshot(sessionId: string): Promise<{ seq: number; state: string } | undefined> {
    const r = await this.pool.query<{ seq: number; state: string }>(
      'SELECT seq, state FROM snapshots WHERE session_id = $1',
      [sessionId],
    );
    return r.rows[0];
  }
  async compact(sessionId: string, uptoSeq: number): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('DELETE FROM events WHERE session_id = $1 AND seq <= $2', [sessionId, uptoSeq]);
      await c.query('UPDATE sessions SET first_seq = $1 WHERE id = $2 AND first_seq < $1', [
        uptoSeq + 1,
        sessionId,
      ]);
    });
  }

  // ---- leases (many nodes) -----------------------------------------------------------------------

  acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<SessionLease | undefined> {
    return acquireLease(this.pool, sessionId, owner, ttlMs);
  }
  renewLease(lease: SessionLease, ttlMs: number): Promise<boolean> {
    return renewLease(this.pool, lease, ttlMs);
  }
  releaseLease(lease: SessionLease): Promise<void> {
    return releaseLease(this.pool, lease);
  }

  async listDocuments(sessionId: string): Promise<DocumentRecord[]> {
    const r = await this.pool.query<DocumentRecord>(
      'SELECT name, version, state FROM documents WHERE session_id = $1 ORDER BY name',
      [sessionId],
    );
    return r.rows;
  }

  async putAttachment(a: AttachmentRecord, sessionId: string): Promise<boolean> {
    const data = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    const stored = await onceMoreIfDeleted(() =>
      this.transaction(async (c) => {
        // Held until the commit: a deleteSession (which deletes this row first) waits for this
        // upload and then deletes its use too, or ran before and the upload is refused.
        const live = await c.query('SELECT 1 FROM sessions WHERE id = $1 FOR KEY SHARE', [
          sessionId,
        ]);
        if (live.rowCount === 0) return undefined;
        const r = await c.query(
          `INSERT INTO attachments (id, type, size, created_at, data) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO NOTHING`,
          [a.id, a.type, a.size, a.createdAt, data],
        );
        await c.query(
          `INSERT INTO attachment_uses (attachment_id, session_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING`,
          [a.id, sessionId],
        );
        return r.rowCount === 1;
      }),
    );
    if (stored === undefined) throw sessionGone(sessionId);
    return stored;
  }
  async getAttachment(id: string): Promise<AttachmentRecord | undefined> {
    const r = await this.pool.query<AttachmentRow & { data: Buffer }>(
      'SELECT id, type, size, created_at, data FROM attachments WHERE id = $1',
      [id],
    );
    const row = r.rows[0];
    return row ? { ...toAttachmentMeta(row), data: row.data } : undefined;
  }
  async useAttachments(
    sessionId: string,
    ids: readonly string[],
  ): Promise<Map<string, AttachmentMeta>> {
    const found = new Map<string, AttachmentMeta>();
    // One statement per attachment, each its own transaction: none holds a row lock while it
    // waits for another, so a use cannot deadlock with a deleteSession.
    for (const id of ids) {
      const r = await onceMoreIfDeleted(() =>
        this.pool.query<AttachmentRow>(
          // The session row is locked as in putAttachment: no use outlives its session.
          `WITH live AS (SELECT 1 FROM sessions WHERE id = $2 FOR KEY SHARE),
                found AS (SELECT id, type, size, created_at FROM attachments
                          WHERE id = $1 AND EXISTS (SELECT 1 FROM live)),
                used AS (INSERT INTO attachment_uses (attachment_id, session_id)
                         SELECT id, $2 FROM found ON CONFLICT DO NOTHING)
           SELECT * FROM found`,
          [id, sessionId],
        ),
      );
      const row = r.rows[0];
      if (row) found.set(id, toAttachmentMeta(row));
    }
    return found;
  }
  async describeAttachments(
    sessionId: string,
    ids: readonly string[],
  ): Promise<Map<string, AttachmentMeta>> {
    const found = new Map<string, AttachmentMeta>();
    if (ids.length === 0) return found;
    const r = await this.pool.query<AttachmentRow>(
      `SELECT a.id, a.type, a.size, a.created_at FROM attachments AS a
       WHERE a.id = ANY($1) AND EXISTS (SELECT 1 FROM attachment_uses AS u
         WHERE u.attachment_id = a.id AND u.session_id IN ($2, '${USED_BEFORE_USES}'))`,
      [ids, sessionId],
    );
    for (const row of r.rows) found.set(row.id, toAttachmentMeta(row));
    return found;
  }

  async close(): Promise<void> {
    await this.pool.end();
    await this.lock?.release();
  }

  /**
   * Runs `fn` in a transaction on one connection. A connection that failed (or whose ROLLBACK
   * failed) is dropped from the pool, never handed to the next caller mid-transaction; dropping
   * it also ends the transaction on the server.
   */
  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out connection that breaks between two queries emits `error`; unheard, that
    // would end the process.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // An error PostgreSQL did not answer with (a timeout, a lost socket) leaves the connection
      // unusable; after one it did answer with, ROLLBACK decides.
      if (!(err instanceof pg.DatabaseError) && !(err instanceof EntryRejected))
        broken ??= err as Error;
      if (broken === undefined) {
        broken = await client.query('ROLLBACK').then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

/**
 * One entry of a commit in one statement (one round trip; two under a lease): its events and
 * input ids inserted, its session row patched. No session row to patch (deleted), or a lease
 * that is no longer the session's, rejects the entry.
 */
async function writeEntry(c: pg.PoolClient, entry: CommitEntry): Promise<void> {
  if (entry.lease !== undefined && !(await fencedEntryCheck(c, entry.lease))) {
    throw new LeaseLost(
      `the lease on session ${entry.sessionId} (epoch ${entry.lease.epoch}) is no longer ${entry.lease.owner}'s: another node owns the session now`,
    );
  }
  const p = entry.patch;
  const r = await c.query({
    name: 'baton-commit-entry',
    text: `WITH ev AS (
             INSERT INTO events (session_id, seq, ts, type, data)
             SELECT $1::text, * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[])
           ), inp AS (
             INSERT INTO inputs (session_id, device_id, input_id, seq, payload_digest)
             SELECT $1::text, * FROM unnest($6::text[], $7::text[], $8::bigint[], $9::text[])
           )
           UPDATE sessions SET head_seq = $10, last_activity_at = $11,
             name = COALESCE($12::text, name), status = COALESCE($13::text, status),
             reason = CASE WHEN $14::boolean THEN $15::text ELSE reason END,
             exit_code = CASE WHEN $16::boolean THEN $17::integer ELSE exit_code END,
             control = CASE WHEN $18::boolean THEN $19::text ELSE control END,
             host_out = COALESCE($20::bigint, host_out)
           WHERE id = $1`,
    values: [
      entry.sessionId,
      entry.events.map((e) => e.seq),
      entry.events.map((e) => e.ts),
      entry.events.map((e) => e.type),
      entry.events.map((e) => e.dataJson),
      entry.inputs.map((i) => i.deviceId),
      entry.inputs.map((i) => i.inputId),
      entry.inputs.map((i) => i.seq),
      entry.inputs.map((i) => i.payloadDigest),
      p.headSeq,
      p.lastActivityAt,
      p.name ?? null,
      p.status ?? null,
      p.reason !== undefined,
      p.reason ?? null,
      p.exitCode !== undefined,
      p.exitCode ?? null,
      p.control !== undefined,
      p.control ?? null,
      p.hostOut ?? null,
    ],
  });
  if (r.rowCount !== 1) throw new EntryRejected(`session ${entry.sessionId} is not stored`);
  const docs = entry.documents ?? [];
  if (docs.length > 0) {
    await c.query({
      name: 'baton-commit-documents',
      text: `INSERT INTO documents (session_id, name, version, state)
             SELECT $1::text, * FROM unnest($2::text[], $3::bigint[], $4::text[])
             ON CONFLICT (session_id, name)
             DO UPDATE SET version = excluded.version, state = excluded.state`,
      values: [
        entry.sessionId,
        docs.map((d) => d.name),
        docs.map((d) => d.version),
        docs.map((d) => d.state),
      ],
    });
  }
}

/**
 * Runs `fn` again once when it failed on the attachments' foreign key: a deleteSession deleted
 * the attachment between this statement's read of it and its use. The second run reads it anew
 * (and then stores it again, or finds it gone).
 */
async function onceMoreIfDeleted<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (sqlState(err) !== FOREIGN_KEY_VIOLATION) throw err;
    return fn();
  }
}

const FOREIGN_KEY_VIOLATION = '23503';

/** The SQLSTATE of a PostgreSQL error; undefined for anything else (a socket, a timeout). */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Errors that belong to one entry's content, not to the store: that entry alone fails. Class 23
 * is a constraint (a seq or input id already stored), class 22 a value PostgreSQL cannot hold
 * (a NUL character in text).
 */
function isEntryError(err: unknown): err is Error {
  if (err instanceof EntryRejected) return true;
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('23') || state.startsWith('22'));
}
