import { statSync } from 'node:fs';
import type { Logger } from '../logger.js';
import { backupBeforeMigration } from './migration-backup.js';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Role } from '@baton/protocol';
import {
  DOCUMENT_KEY_PREFIX,
  inputKey,
  type AttachmentMeta,
  type AttachmentRecord,
  type AuditQueryRecord,
  type AuditRecord,
  type NewAuditRecord,
  type CommitEntry,
  type CommitOutcome,
  type DevicePatch,
  type DeviceRecord,
  type DocumentRecord,
  type GrantRecord,
  type PushSubscriptionRecord,
  type SealedKeyRecord,
  type InputKey,
  type SessionRoleRecord,
  type SessionPatch,
  type SessionRecord,
  type Store,
  type StoredEvent,
  type StoredInput,
} from './store.js';
import { EntryRejected } from './entry-rejected.js';
import { MIGRATIONS } from './migrations.js';
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
import { WalCheckpointer } from './wal-checkpointer.js';

/** The WAL file is truncated back to this size when it restarts after a checkpoint. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** Every this many commits the WAL's size is looked at ... */
const WAL_CHECK_EVERY_COMMITS = 64;
/** ... and above this size a checkpoint is asked for before the timer's next one. */
const WAL_CHECKPOINT_SOON_BYTES = 16 * 1024 * 1024;

/** The first string above every document write key: the prefix ends in `/`, which `0` follows. */
const DOCUMENT_KEYS_END = `${DOCUMENT_KEY_PREFIX.slice(0, -1)}0`;

/**
 * A session's head and activity time: the row's, or the newest stored event's when that is
 * ahead (a commit of plain events does not write the row). Both reads use the events' primary
 * key, newest entry first. Used with the sessions table aliased `s`.
 */
const STORED_HEAD = `MAX(s.head_seq, COALESCE((SELECT MAX(seq) FROM events WHERE session_id = s.id), 0))`;
const STORED_ACTIVITY = `MAX(s.last_activity_at, COALESCE((SELECT ts FROM events WHERE session_id = s.id ORDER BY seq DESC LIMIT 1), 0))`;
const SESSION_COLUMNS = `s.id, s.name, s.kind, s.status, s.reason, s.exit_code, s.config, s.created_at,
  s.first_seq, s.epoch, s.control, s.host_out,
  ${STORED_HEAD} AS head_seq, ${STORED_ACTIVITY} AS last_activity_at`;

export interface SqliteStoreOptions {
  /** `normal`: synchronous = NORMAL; `full`: synchronous = FULL (see ServerOptions.durability). */
  durability?: 'normal' | 'full';
  /**
   * `background` (default): WAL checkpoints run in a worker thread, never inside a commit.
   * `inline`: SQLite's automatic checkpoint inside the commit that crosses 1000 pages (for
   * comparison in measurements).
   */
  checkpoints?: 'background' | 'inline';
  /** Time between background checkpoints. Default 1 s. */
  checkpointIntervalMs?: number;
  /** Told where the backup taken before a schema migration went. */
  log?: Logger;
}

/**
 * The fields of a SessionPatch that only the session's row holds: an entry that sets none of them
 * skips the row (writeEntry). The checks below make a field added to SessionPatch fail to compile
 * until it is listed here, so that it can never be dropped silently by a head-only commit.
 */
type RowField = Exclude<keyof SessionPatch, 'headSeq' | 'lastActivityAt'>;
const ROW_FIELDS = [
  'name',
  'status',
  'reason',
  'exitCode',
  'control',
  'hostOut',
] as const satisfies readonly RowField[];
const everyRowFieldListed: Exclude<RowField, (typeof ROW_FIELDS)[number]> extends never
  ? true
  : never = true;
void everyRowFieldListed;

/** Whether a patch changes only the head and the activity time (runs once per commit entry). */
function headOnly(p: SessionPatch): boolean {
  for (const field of ROW_FIELDS) if (p[field] !== undefined) return false;
  return true;
}

/**
 * The embedded default store: one SQLite file in WAL mode.
 *
 * Durability: with `synchronous = NORMAL` (the default here) a committed transaction survives a
 * crash or `kill -9` of the server; only an operating-system crash or power loss can lose the
 * last transactions. `durability: 'full'` fsyncs the WAL at every commit instead (group commit
 * keeps that affordable: one fsync per batch of appends, not per event) and survives power loss.
 *
 * better-sqlite3 is synchronous: each method runs to completion inside the call. The hub does not
 * rely on that (PgStore yields at every call): the LogWriter's dedupe-then-allocate-then-commit
 * step is kept atomic by running one flush at a time (log-writer.ts).
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepare']>;
  private readonly commitTx: (batch: readonly CommitEntry[]) => CommitOutcome;
  private readonly commitOneTx: (entry: CommitEntry) => void;
  private readonly appendAuditTx: (entries: readonly NewAuditRecord[]) => void;
  private readonly checkpointer: WalCheckpointer | undefined;
  private readonly walFile: string | undefined;
  private commitsSinceWalCheck = 0;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.db = new Database(file);
    try {
      this.db.pragma('journal_mode = WAL');
      const synchronous = options.durability === 'full' ? 'FULL' : 'NORMAL';
      this.db.pragma(`synchronous = ${synchronous}`);
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      this.migrate(file, options.log);
      if ((options.checkpoints ?? 'background') === 'background') {
        // Checkpoints leave the event loop (see WalCheckpointer). When the WAL restarts after a
        // checkpoint, a file grown past the limit by a burst is truncated back to it.
        this.db.pragma('wal_autocheckpoint = 0');
        this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
        this.walFile = `${file}-wal`;
        this.checkpointer = new WalCheckpointer({
          file,
          synchronous,
          ...(options.checkpointIntervalMs !== undefined
            ? { intervalMs: options.checkpointIntervalMs }
            : {}),
        });
      }
      this.stmt = this.prepare();
      // What one entry writes. The session's row is written only when the entry changes more
      // than its head and activity time: a commit of plain events writes the event rows (and the
      // input keys) and nothing else, one page fewer in the WAL for every commit. The head and the
      // activity time a reader sees are those of the newest stored event when it is ahead of the
      // row (SESSION_COLUMNS), so nothing is lost by not writing them; compaction, which deletes
      // events, writes them into the row first. Schema 13 makes older versions refuse the file,
      // since they would read the row's head as the whole truth.
      const writeEntry = (entry: CommitEntry): void => {
        for (const e of entry.events) {
          this.stmt.insertEvent.run(entry.sessionId, e.seq, e.ts, e.type, e.dataJson);
        }
        for (const i of entry.inputs) {
          this.stmt.insertInput.run(entry.sessionId, i.deviceId, i.inputId, i.seq, i.payloadDigest);
        }
        for (const d of entry.documents ?? []) {
          this.stmt.putDocument.run(entry.sessionId, d.name, d.version, d.state);
        }
        const p = entry.patch;
        if (headOnly(p)) {
          // Still refused when the session was deleted in the same tick: no orphaned events.
          if (this.stmt.sessionExists.get(entry.sessionId) === undefined)
            throw new EntryRejected(`session ${entry.sessionId} is not stored`);
          return;
        }
        const info = this.stmt.patchSession.run({
          id: entry.sessionId,
          head_seq: p.headSeq,
          last_activity_at: p.lastActivityAt,
          name: p.name ?? null,
          status: p.status ?? null,
          set_reason: p.reason !== undefined ? 1 : 0,
          reason: p.reason ?? null,
          set_exit_code: p.exitCode !== undefined ? 1 : 0,
          exit_code: p.exitCode ?? null,
          set_control: p.control !== undefined ? 1 : 0,
          control: p.control ?? null,
          host_out: p.hostOut ?? null,
        });
        if (info.changes !== 1) throw new EntryRejected(`session ${entry.sessionId} is not stored`);
      };
      // In a batch of several sessions each entry runs in its own savepoint (a nested
      // better-sqlite3 transaction): a constraint failure rolls back that entry only and is
      // reported; any other error (SQLITE_FULL, SQLITE_IOERR) propagates and the outer
      // transaction rolls back whole. A batch of one entry needs no savepoint: rolling back the
      // whole transaction is rolling back that entry (commit() reports it the same way).
      const entryTx = this.db.transaction(writeEntry);
      this.commitTx = this.db.transaction((batch: readonly CommitEntry[]) => {
        const failed = new Map<string, Error>();
        for (const entry of batch) {
          try {
            entryTx(entry);
          } catch (err) {
            if (!isEntryError(err)) throw err;
            failed.set(entry.sessionId, err);
          }
        }
        return { failed };
      });
      this.commitOneTx = this.db.transaction(writeEntry);
      this.appendAuditTx = this.db.transaction((entries: readonly NewAuditRecord[]) => {
        for (const a of entries)
          this.stmt.insertAudit.run(
            a.at,
            a.deviceId,
            a.deviceName,
            a.mode,
            a.role,
            a.action,
            a.sessionId ?? null,
            a.detailJson ?? null,
          );
      });
    } catch (err) {
      // A database this baton cannot use (written by a newer one, unreadable): release the
      // file, so that the same process can report it and open another directory.
      this.db.close();
      throw err;
    }
  }

  private migrate(file: string, log: Logger | undefined): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      { value: string } | undefined;
    const current = row ? Number(row.value) : 0;
    const apply = this.db.transaction(() => {
      for (let v = current; v < MIGRATIONS.length; v++) {
        for (const sql of MIGRATIONS[v]!) this.db.exec(sql);
      }
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('schema_version', ?) " +
            'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        .run(String(MIGRATIONS.length));
    });
    if (current > MIGRATIONS.length) {
      throw new Error(
        `the database was written by a newer baton (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade baton or use another --data directory`,
      );
    }
    if (current < MIGRATIONS.length) {
      // A database that already holds data (schema 1 or later) is copied before it changes, so
      // an upgrade that goes wrong, or a step back to the previous baton, starts from the copy.
      if (current > 0) {
        const backup = backupBeforeMigration(this.db, file, current);
        log?.info('backed up the database before upgrading its schema', {
          from: current,
          to: MIGRATIONS.length,
          backup,
        });
      }
      apply();
    }
  }

  private prepare() {
    const p = (sql: string): Statement => this.db.prepare(sql);
    return {
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      insertDevice: p(
        'INSERT INTO devices (id, name, token_hash, created_at, last_seen_at, revoked_at, role, session_scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      updateDevice: p(
        'UPDATE devices SET name = COALESCE(@name, name), role = COALESCE(@role, role), modes = COALESCE(@modes, modes) WHERE id = @id',
      ),
      insertAudit: p(
        'INSERT INTO audit (at, device_id, device_name, mode, role, action, session_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      // NULL filters match every row; the indexes on (session_id, id) and (device_id, id) serve
      // the filtered reads, the primary key the unfiltered one.
      readAudit: p(
        `SELECT * FROM audit WHERE id > @after
           AND (@session IS NULL OR session_id = @session)
           AND (@device IS NULL OR device_id = @device)
         ORDER BY id LIMIT @limit`,
      ),
      pruneAudit: p('DELETE FROM audit WHERE at < ?'),
      setSessionRole: p(
        `INSERT INTO device_session_roles (device_id, session_id, role) VALUES (?, ?, ?)
         ON CONFLICT (device_id, session_id) DO UPDATE SET role = excluded.role`,
      ),
      clearSessionRole: p(
        'DELETE FROM device_session_roles WHERE device_id = ? AND session_id = ?',
      ),
      listSessionRoles: p('SELECT device_id, session_id, role FROM device_session_roles'),
      deleteSessionRoles: p('DELETE FROM device_session_roles WHERE session_id = ?'),
      insertGrant: p(
        `INSERT INTO grants (code_hash, kind, role, session_scope, mode, created_by, created_at, expires_at, used_at, used_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      ),
      findGrant: p('SELECT * FROM grants WHERE code_hash = ?'),
      useGrant: p(
        'UPDATE grants SET used_at = ?, used_by = ? WHERE code_hash = ? AND used_at IS NULL',
      ),
      putPushSubscription: p(
        `INSERT INTO push_subscriptions (id, device_id, endpoint, p256dh, auth, prefs, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET id = excluded.id, device_id = excluded.device_id,
           p256dh = excluded.p256dh, auth = excluded.auth, prefs = excluded.prefs,
           created_at = excluded.created_at`,
      ),
      listPushSubscriptions: p('SELECT * FROM push_subscriptions ORDER BY created_at, id'),
      setPushPrefs: p('UPDATE push_subscriptions SET prefs = ? WHERE id = ?'),
      deletePushSubscription: p('DELETE FROM push_subscriptions WHERE id = ?'),
      deleteDevicePushSubscriptions: p('DELETE FROM push_subscriptions WHERE device_id = ?'),
      deviceByHash: p('SELECT * FROM devices WHERE token_hash = ?'),
      listDevices: p('SELECT * FROM devices ORDER BY created_at'),
      touchDevice: p('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
      revokeDevice: p('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      insertSession: p(
        'INSERT INTO sessions (id, name, kind, status, reason, exit_code, config, created_at, last_activity_at, head_seq, first_seq, epoch, control) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setSessionEpoch: p('UPDATE sessions SET epoch = ? WHERE id = ?'),
      getSession: p(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE id = ?`),
      listSessions: p(`SELECT ${SESSION_COLUMNS} FROM sessions s ORDER BY created_at`),
      sessionExists: p('SELECT 1 FROM sessions WHERE id = ?').pluck(),
      // Before compaction deletes events: the head and activity time they carry, into the row.
      settleSessionHead: p(
        `UPDATE sessions AS s SET head_seq = ${STORED_HEAD}, last_activity_at = ${STORED_ACTIVITY} WHERE s.id = ?`,
      ),
      deleteEvents: p('DELETE FROM events WHERE session_id = ?'),
      deleteInputs: p('DELETE FROM inputs WHERE session_id = ?'),
      deleteSnapshot: p('DELETE FROM snapshots WHERE session_id = ?'),
      deleteDocuments: p('DELETE FROM documents WHERE session_id = ?'),
      putDocument: p(
        `INSERT INTO documents (session_id, name, version, state) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id, name) DO UPDATE SET version = excluded.version, state = excluded.state`,
      ),
      listDocuments: p(
        'SELECT name, version, state FROM documents WHERE session_id = ? ORDER BY name',
      ),
      deleteSession: p('DELETE FROM sessions WHERE id = ?'),
      deleteSealedKeys: p('DELETE FROM sealed_keys WHERE session_id = ?'),
      putSealedKey: p(
        `INSERT INTO sealed_keys (session_id, recipient, key_epoch, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id, recipient, key_epoch) DO UPDATE SET body = excluded.body`,
      ),
      listSealedKeys: p(
        'SELECT session_id AS sessionId, recipient, key_epoch AS keyEpoch, body FROM sealed_keys',
      ),
      insertEvent: p('INSERT INTO events (session_id, seq, ts, type, data) VALUES (?, ?, ?, ?, ?)'),
      insertInput: p(
        'INSERT INTO inputs (session_id, device_id, input_id, seq, payload_digest) VALUES (?, ?, ?, ?, ?)',
      ),
      patchSession: p(
        `UPDATE sessions SET head_seq = @head_seq, last_activity_at = @last_activity_at,
           name = COALESCE(@name, name), status = COALESCE(@status, status),
           reason = CASE WHEN @set_reason = 1 THEN @reason ELSE reason END,
           exit_code = CASE WHEN @set_exit_code = 1 THEN @exit_code ELSE exit_code END,
           control = CASE WHEN @set_control = 1 THEN @control ELSE control END,
           host_out = COALESCE(@host_out, host_out)
         WHERE id = @id`,
      ),
      // The largest input id of the session: two searches of the (session, input id, device)
      // b-tree around the document write keys, which all lie in [DOCUMENT_KEY_PREFIX,
      // DOCUMENT_KEYS_END): the last key above them, else the last below them.
      inputIdCeiling: p(
        `SELECT COALESCE(
           (SELECT MAX(input_id) FROM inputs WHERE session_id = @id AND input_id >= @end),
           (SELECT MAX(input_id) FROM inputs WHERE session_id = @id AND input_id < @start)
         ) AS ceiling`,
      ),
      // One key: the device's own row first; a row from before per-device dedupe (device '')
      // otherwise.
      findInput: p(
        `SELECT seq, payload_digest FROM inputs WHERE session_id = ? AND input_id = ? AND device_id IN (?, '')
         ORDER BY device_id DESC LIMIT 1`,
      ),
      // Several keys (a commit batch's) in one statement: one read transaction, and its
      // shared-memory locks, for the batch instead of one per key, about 0.6× the lookup's time
      // for ten keys; for one key the statement above is cheaper (docs/benchmarks.md). The keys
      // come as a JSON array of [device, input id] pairs; CROSS JOIN keeps json_each as the outer
      // loop, so that each key is a search of the primary key (the planner otherwise scans the
      // session's inputs). A key can match two rows, the device's own and one from before
      // per-device dedupe; the caller keeps the device's own.
      findInputs: p(
        `SELECT k.key AS n, i.device_id, i.seq, i.payload_digest
         FROM json_each(?) AS k CROSS JOIN inputs AS i
         WHERE i.session_id = ? AND i.input_id = k.value ->> 1 AND i.device_id IN (k.value ->> 0, '')`,
      ),
      // Rows as arrays: better-sqlite3 builds a keyed object per row far more slowly, and a
      // catch-up reads thousands of rows at once (about 40% less CPU per row, measured).
      readEvents: p(
        'SELECT seq, ts, type, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ).raw(true),
      putSnapshot: p(
        `INSERT INTO snapshots (session_id, seq, state, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, created_at = excluded.created_at`,
      ),
      getSnapshot: p('SELECT seq, state FROM snapshots WHERE session_id = ?'),
      putAttachment: p(
        'INSERT INTO attachments (id, type, size, created_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      getAttachment: p('SELECT id, type, size, created_at, data FROM attachments WHERE id = ?'),
      sessionStored: p('SELECT 1 FROM sessions WHERE id = ?').pluck(),
      useAttachment: p(
        `INSERT INTO attachment_uses (attachment_id, session_id)
         SELECT id, ? FROM attachments WHERE id = ? ON CONFLICT DO NOTHING`,
      ),
      describeAttachment: p('SELECT id, type, size, created_at FROM attachments WHERE id = ?'),
      describeUsedAttachment: p(
        `SELECT a.id, a.type, a.size, a.created_at FROM attachments AS a
         WHERE a.id = ? AND EXISTS (SELECT 1 FROM attachment_uses AS u
           WHERE u.attachment_id = a.id AND u.session_id IN (?, '${USED_BEFORE_USES}'))`,
      ),
      attachmentsUsedBy: p(
        'SELECT attachment_id FROM attachment_uses WHERE session_id = ?',
      ).pluck(),
      deleteAttachmentUses: p('DELETE FROM attachment_uses WHERE session_id = ?'),
      deleteUnusedAttachment: p(
        `DELETE FROM attachments WHERE id = ?
         AND NOT EXISTS (SELECT 1 FROM attachment_uses WHERE attachment_id = ?)`,
      ),
      compactEvents: p('DELETE FROM events WHERE session_id = ? AND seq <= ?'),
      setFirstSeq: p('UPDATE sessions SET first_seq = ? WHERE id = ? AND first_seq < ?'),
    };
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.stmt.getMeta.get(key) as { value: string } | undefined;
    return row?.value;
  }
  async setMeta(key: string, value: string): Promise<void> {
    this.stmt.setMeta.run(key, value);
    return;
  }

  async putSealedKeys(rows: readonly SealedKeyRecord[]): Promise<void> {
    this.db.transaction(() => {
      for (const r of rows)
        this.stmt.putSealedKey.run(r.sessionId, r.recipient, r.keyEpoch, r.body);
    })();
    return;
  }

  async listSealedKeys(): Promise<SealedKeyRecord[]> {
    return this.stmt.listSealedKeys.all() as SealedKeyRecord[];
  }

  async insertDevice(d: DeviceRecord): Promise<void> {
    this.stmt.insertDevice.run(
      d.id,
      d.name,
      d.tokenHash,
      d.createdAt,
      d.lastSeenAt,
      d.revokedAt ?? null,
      d.role,
      d.sessionScope ?? null,
    );
    return;
  }
  async findDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined> {
    const row = this.stmt.deviceByHash.get(tokenHash) as DeviceRow | undefined;
    return row ? toDevice(row) : undefined;
  }
  async listDevices(): Promise<DeviceRecord[]> {
    return (this.stmt.listDevices.all() as DeviceRow[]).map(toDevice);
  }
  async touchDevice(id: string, at: number): Promise<void> {
    this.stmt.touchDevice.run(at, id);
    return;
  }
  async revokeDevice(id: string, at: number): Promise<boolean> {
    return this.stmt.revokeDevice.run(at, id).changes === 1;
  }
  async updateDevice(id: string, patch: DevicePatch): Promise<boolean> {
    const r = this.stmt.updateDevice.run({
      id,
      name: patch.name ?? null,
      role: patch.role ?? null,
      modes: patch.modes === undefined ? null : patch.modes.join(','),
    });
    return r.changes === 1;
  }
  async appendAudit(entries: readonly NewAuditRecord[]): Promise<void> {
    this.appendAuditTx(entries);
    return;
  }
  async readAudit(q: AuditQueryRecord): Promise<AuditRecord[]> {
    const rows = this.stmt.readAudit.all({
      after: q.after,
      session: q.sessionId ?? null,
      device: q.deviceId ?? null,
      limit: q.limit,
    }) as AuditRow[];
    return rows.map(toAudit);
  }
  async pruneAudit(before: number): Promise<number> {
    return this.stmt.pruneAudit.run(before).changes;
  }
  async setSessionRole(deviceId: string, sessionId: string, role: Role | null): Promise<void> {
    if (role === null) this.stmt.clearSessionRole.run(deviceId, sessionId);
    else this.stmt.setSessionRole.run(deviceId, sessionId, role);
    return;
  }
  async insertGrant(g: GrantRecord): Promise<void> {
    this.stmt.insertGrant.run(
      g.codeHash,
      g.kind,
      g.role,
      g.sessionScope ?? null,
      g.mode ?? null,
      g.createdBy,
      g.createdAt,
      g.expiresAt,
    );
    return;
  }
  async findGrant(codeHash: string): Promise<GrantRecord | undefined> {
    const r = this.stmt.findGrant.get(codeHash) as GrantRow | undefined;
    return r ? toGrant(r) : undefined;
  }
  async useGrant(codeHash: string, at: number, deviceId: string): Promise<boolean> {
    return this.stmt.useGrant.run(at, deviceId, codeHash).changes === 1;
  }
  async putPushSubscription(s: PushSubscriptionRecord): Promise<void> {
    this.stmt.putPushSubscription.run(
      s.id,
      s.deviceId,
      s.endpoint,
      s.p256dh,
      s.auth,
      s.prefs,
      s.createdAt,
    );
    return;
  }
  async listPushSubscriptions(): Promise<PushSubscriptionRecord[]> {
    return (this.stmt.listPushSubscriptions.all() as PushRow[]).map(toPushSubscription);
  }
  async setPushPrefs(id: string, prefs: string): Promise<boolean> {
    return this.stmt.setPushPrefs.run(prefs, id).changes === 1;
  }
  async deletePushSubscription(id: string): Promise<boolean> {
    return this.stmt.deletePushSubscription.run(id).changes === 1;
  }
  async deleteDevicePushSubscriptions(deviceId: string): Promise<void> {
    this.stmt.deleteDevicePushSubscriptions.run(deviceId);
    return;
  }
  async listSessionRoles(): Promise<SessionRoleRecord[]> {
    const rows = this.stmt.listSessionRoles.all() as {
      device_id: string;
      session_id: string;
      role: string;
    }[];
    return rows.map((r) => ({
      deviceId: r.device_id,
      sessionId: r.session_id,
      role: r.role as Role,
    }));
  }

  async insertSession(s: SessionRecord): Promise<void> {
    this.stmt.insertSession.run(
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
    );
    return;
  }
  async setSessionEpoch(id: string, epoch: string): Promise<void> {
    this.stmt.setSessionEpoch.run(epoch, id);
    return;
  }
  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.stmt.getSession.get(id) as SessionRow | undefined;
    return row ? toSession(row) : undefined;
  }
  async listSessions(): Promise<SessionRecord[]> {
    return (this.stmt.listSessions.all() as SessionRow[]).map(toSession);
  }
  async deleteSession(id: string): Promise<void> {
    this.db.transaction(() => {
      this.stmt.deleteEvents.run(id);
      this.stmt.deleteInputs.run(id);
      this.stmt.deleteSnapshot.run(id);
      this.stmt.deleteDocuments.run(id);
      this.stmt.deleteSessionRoles.run(id);
      this.stmt.deleteSealedKeys.run(id);
      const used = this.stmt.attachmentsUsedBy.all(id) as string[];
      // The uses first: the foreign key refuses to delete an attachment that still has one.
      this.stmt.deleteAttachmentUses.run(id);
      for (const attachment of used) this.stmt.deleteUnusedAttachment.run(attachment, attachment);
      this.stmt.deleteSession.run(id);
    })();
    return;
  }

  async commit(batch: readonly CommitEntry[]): Promise<CommitOutcome> {
    const outcome = batch.length === 1 ? this.commitOne(batch[0]!) : this.commitTx(batch);
    if (this.checkpointer && ++this.commitsSinceWalCheck >= WAL_CHECK_EVERY_COMMITS) {
      // A burst can outrun the timer: ask for a checkpoint early once the WAL is large.
      this.commitsSinceWalCheck = 0;
      const size = statSync(this.walFile!, { throwIfNoEntry: false })?.size ?? 0;
      if (size > WAL_CHECKPOINT_SOON_BYTES) this.checkpointer.checkpointSoon();
    }
    return outcome;
  }

  private commitOne(entry: CommitEntry): CommitOutcome {
    try {
      this.commitOneTx(entry);
      return { failed: new Map() };
    } catch (err) {
      if (!isEntryError(err)) throw err;
      return { failed: new Map([[entry.sessionId, err]]) };
    }
  }

  async inputIdCeiling(sessionId: string): Promise<string | undefined> {
    // SQLite compares TEXT as bytes of UTF-8 and JavaScript as UTF-16 code units; the two orders
    // agree between an id of the wire's ASCII characters and any string, which is all the
    // comparison against this ceiling needs (InputIdCeilings).
    const row = this.stmt.inputIdCeiling.get({
      id: sessionId,
      start: DOCUMENT_KEY_PREFIX,
      end: DOCUMENT_KEYS_END,
    }) as { ceiling: string | null };
    return row.ceiling ?? '';
  }

  async findInputs(
    sessionId: string,
    keys: readonly InputKey[],
  ): Promise<Map<string, StoredInput>> {
    const found = new Map<string, StoredInput>();
    if (keys.length === 0) return found;
    if (keys.length === 1) {
      const key = keys[0]!;
      const row = this.stmt.findInput.get(sessionId, key.inputId, key.deviceId) as
        { seq: number; payload_digest: string | null } | undefined;
      if (row) found.set(inputKey(key), storedInput(row));
      return found;
    }
    const rows = this.stmt.findInputs.all(
      JSON.stringify(keys.map((k) => [k.deviceId, k.inputId])),
      sessionId,
    ) as { n: number; device_id: string; seq: number; payload_digest: string | null }[];
    for (const row of rows) {
      const key = inputKey(keys[row.n]!);
      // The device's own row wins over one from before per-device dedupe, in whatever order.
      if (row.device_id === '' && found.has(key)) continue;
      found.set(key, storedInput(row));
    }
    return found;
  }
  async readEvents(sessionId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = this.stmt.readEvents.all(sessionId, afterSeq, limit) as EventRow[];
    return rows.map(([seq, ts, type, data]) => ({
      seq,
      ts,
      type: type as StoredEvent['type'],
      dataJson: data,
    }));
  }

  async putSnapshot(sessionId: string, seq: number, state: string): Promise<void> {
    this.stmt.putSnapshot.run(sessionId, seq, state, Date.now());
    return;
  }
  async listDocuments(sessionId: string): Promise<DocumentRecord[]> {
    return this.stmt.listDocuments.all(sessionId) as DocumentRecord[];
  }
  async getSnapshot(sessionId: string): Promise<{ seq: number; state: string } | undefined> {
    const row = this.stmt.getSnapshot.get(sessionId) as { seq: number; state: string } | undefined;
    return row;
  }
  async compact(sessionId: string, uptoSeq: number): Promise<void> {
    this.db.transaction(() => {
      this.stmt.settleSessionHead.run(sessionId);
      this.stmt.compactEvents.run(sessionId, uptoSeq);
      this.stmt.setFirstSeq.run(uptoSeq + 1, sessionId, uptoSeq + 1);
    })();
    return;
  }

  async putAttachment(a: AttachmentRecord, sessionId: string): Promise<boolean> {
    return this.db.transaction(() => {
      // A use of a deleted session would keep the attachment for good.
      if (this.stmt.sessionStored.get(sessionId) === undefined) throw sessionGone(sessionId);
      const stored = this.stmt.putAttachment.run(a.id, a.type, a.size, a.createdAt, a.data);
      this.stmt.useAttachment.run(sessionId, a.id);
      return stored.changes === 1;
    })();
  }
  async getAttachment(id: string): Promise<AttachmentRecord | undefined> {
    const row = this.stmt.getAttachment.get(id) as (AttachmentRow & { data: Buffer }) | undefined;
    return row ? { ...toAttachmentMeta(row), data: row.data } : undefined;
  }
  async useAttachments(
    sessionId: string,
    ids: readonly string[],
  ): Promise<Map<string, AttachmentMeta>> {
    // One synchronous transaction: no deleteSession can run between the use and the read.
    return this.db.transaction(() => {
      const found = new Map<string, AttachmentMeta>();
      if (this.stmt.sessionStored.get(sessionId) === undefined) return found;
      for (const id of ids) {
        this.stmt.useAttachment.run(sessionId, id);
        const row = this.stmt.describeAttachment.get(id) as AttachmentRow | undefined;
        if (row) found.set(id, toAttachmentMeta(row));
      }
      return found;
    })();
  }
  async describeAttachments(
    sessionId: string,
    ids: readonly string[],
  ): Promise<Map<string, AttachmentMeta>> {
    const found = new Map<string, AttachmentMeta>();
    for (const id of ids) {
      const row = this.stmt.describeUsedAttachment.get(id, sessionId) as AttachmentRow | undefined;
      if (row) found.set(id, toAttachmentMeta(row));
    }
    return found;
  }

  /** The connection's settings that decide durability and checkpointing (for tests, diagnostics). */
  settings(): { synchronous: 'NORMAL' | 'FULL' | 'OTHER'; walAutocheckpoint: number } {
    const sync = this.db.pragma('synchronous', { simple: true }) as number;
    return {
      synchronous: sync === 1 ? 'NORMAL' : sync === 2 ? 'FULL' : 'OTHER',
      walAutocheckpoint: this.db.pragma('wal_autocheckpoint', { simple: true }) as number,
    };
  }

  /** The background checkpointer's counters (undefined with inline checkpoints). */
  get walCheckpoints(): WalCheckpointer['stats'] | undefined {
    return this.checkpointer?.stats;
  }

  /** Asks the background checkpointer for a checkpoint now. */
  checkpointSoon(): void {
    this.checkpointer?.checkpointSoon();
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}

/** seq, ts, type, data: a row of the raw readEvents statement. */
type EventRow = [number, number, string, string];

/** Errors that belong to one entry's content, not to the store: that entry alone fails. */
function isEntryError(err: unknown): err is Error {
  if (err instanceof EntryRejected) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

/** A stored input key's row as the input lookups read it. */
function storedInput(row: { seq: number; payload_digest: string | null }): StoredInput {
  const stored: StoredInput = { seq: row.seq };
  if (row.payload_digest !== null) stored.payloadDigest = row.payload_digest;
  return stored;
}
