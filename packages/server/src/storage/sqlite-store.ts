import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { CommitEntry, DeviceRecord, SessionRecord, Store, StoredEvent } from './store.js';
import { MIGRATIONS } from './migrations.js';

/**
 * The embedded default store: one SQLite file in WAL mode.
 *
 * Durability: with `synchronous = NORMAL` (the default here) a committed transaction survives a
 * crash or `kill -9` of the server; only an operating-system crash or power loss can lose the
 * last transactions. `durability: 'full'` fsyncs every commit instead (group commit keeps that
 * affordable: one fsync per batch of appends, not per event).
 *
 * better-sqlite3 is synchronous: each method runs to completion inside one turn of the event
 * loop, which is what makes the LogWriter's dedupe-then-allocate-then-commit step atomic here.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepare']>;
  private readonly commitTx: (batch: readonly CommitEntry[]) => void;

  constructor(file: string, options: { durability?: 'normal' | 'full' } = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.stmt = this.prepare();
    this.commitTx = this.db.transaction((batch: readonly CommitEntry[]) => {
      for (const entry of batch) {
        for (const e of entry.events) {
          this.stmt.insertEvent.run(entry.sessionId, e.seq, e.ts, e.type, e.dataJson);
        }
        for (const i of entry.inputs) {
          this.stmt.insertInput.run(entry.sessionId, i.inputId, i.seq);
        }
        const p = entry.patch;
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
        });
        if (info.changes !== 1) throw new Error(`session ${entry.sessionId} is not stored`);
      }
    });
  }

  private migrate(): void {
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
    if (current < MIGRATIONS.length) apply();
  }

  private prepare() {
    const p = (sql: string): Statement => this.db.prepare(sql);
    return {
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      insertDevice: p(
        'INSERT INTO devices (id, name, token_hash, created_at, last_seen_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      deviceByHash: p('SELECT * FROM devices WHERE token_hash = ?'),
      listDevices: p('SELECT * FROM devices ORDER BY created_at'),
      touchDevice: p('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
      revokeDevice: p('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      insertSession: p(
        'INSERT INTO sessions (id, name, kind, status, reason, exit_code, config, created_at, last_activity_at, head_seq, first_seq, epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setSessionEpoch: p('UPDATE sessions SET epoch = ? WHERE id = ?'),
      getSession: p('SELECT * FROM sessions WHERE id = ?'),
      listSessions: p('SELECT * FROM sessions ORDER BY created_at'),
      deleteEvents: p('DELETE FROM events WHERE session_id = ?'),
      deleteInputs: p('DELETE FROM inputs WHERE session_id = ?'),
      deleteSnapshot: p('DELETE FROM snapshots WHERE session_id = ?'),
      deleteSession: p('DELETE FROM sessions WHERE id = ?'),
      insertEvent: p('INSERT INTO events (session_id, seq, ts, type, data) VALUES (?, ?, ?, ?, ?)'),
      insertInput: p('INSERT INTO inputs (session_id, input_id, seq) VALUES (?, ?, ?)'),
      patchSession: p(
        `UPDATE sessions SET head_seq = @head_seq, last_activity_at = @last_activity_at,
           name = COALESCE(@name, name), status = COALESCE(@status, status),
           reason = CASE WHEN @set_reason = 1 THEN @reason ELSE reason END,
           exit_code = CASE WHEN @set_exit_code = 1 THEN @exit_code ELSE exit_code END
         WHERE id = @id`,
      ),
      findInput: p('SELECT seq FROM inputs WHERE session_id = ? AND input_id = ?'),
      readEvents: p(
        'SELECT seq, ts, type, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      putSnapshot: p(
        `INSERT INTO snapshots (session_id, seq, state, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, created_at = excluded.created_at`,
      ),
      getSnapshot: p('SELECT seq, state FROM snapshots WHERE session_id = ?'),
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

  async insertDevice(d: DeviceRecord): Promise<void> {
    this.stmt.insertDevice.run(
      d.id,
      d.name,
      d.tokenHash,
      d.createdAt,
      d.lastSeenAt,
      d.revokedAt ?? null,
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
      this.stmt.deleteSession.run(id);
    })();
    return;
  }

  async commit(batch: readonly CommitEntry[]): Promise<void> {
    this.commitTx(batch);
    return;
  }
  async findInputs(sessionId: string, inputIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const id of inputIds) {
      const row = this.stmt.findInput.get(sessionId, id) as { seq: number } | undefined;
      if (row) found.set(id, row.seq);
    }
    return found;
  }
  async readEvents(sessionId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = this.stmt.readEvents.all(sessionId, afterSeq, limit) as EventRow[];
    return rows.map((r) => ({
      seq: r.seq,
      ts: r.ts,
      type: r.type as StoredEvent['type'],
      dataJson: r.data,
    }));
  }

  async putSnapshot(sessionId: string, seq: number, state: string): Promise<void> {
    this.stmt.putSnapshot.run(sessionId, seq, state, Date.now());
    return;
  }
  async getSnapshot(sessionId: string): Promise<{ seq: number; state: string } | undefined> {
    const row = this.stmt.getSnapshot.get(sessionId) as { seq: number; state: string } | undefined;
    return row;
  }
  async compact(sessionId: string, uptoSeq: number): Promise<void> {
    this.db.transaction(() => {
      this.stmt.compactEvents.run(sessionId, uptoSeq);
      this.stmt.setFirstSeq.run(uptoSeq + 1, sessionId, uptoSeq + 1);
    })();
    return;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    return;
  }
}

interface DeviceRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number;
  revoked_at: number | null;
}
interface SessionRow {
  id: string;
  name: string;
  kind: string;
  status: string;
  reason: string | null;
  exit_code: number | null;
  config: string;
  created_at: number;
  last_activity_at: number;
  head_seq: number;
  first_seq: number;
  epoch: string;
}
interface EventRow {
  seq: number;
  ts: number;
  type: string;
  data: string;
}

function toDevice(r: DeviceRow): DeviceRecord {
  const d: DeviceRecord = {
    id: r.id,
    name: r.name,
    tokenHash: r.token_hash,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
  };
  if (r.revoked_at !== null) d.revokedAt = r.revoked_at;
  return d;
}

function toSession(r: SessionRow): SessionRecord {
  const s: SessionRecord = {
    id: r.id,
    name: r.name,
    kind: r.kind as SessionRecord['kind'],
    status: r.status as SessionRecord['status'],
    config: r.config,
    createdAt: r.created_at,
    lastActivityAt: r.last_activity_at,
    headSeq: r.head_seq,
    firstSeq: r.first_seq,
    epoch: r.epoch,
  };
  if (r.reason !== null) s.reason = r.reason;
  if (r.exit_code !== null) s.exitCode = r.exit_code;
  return s;
}
