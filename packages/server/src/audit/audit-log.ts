import type { AuditEntry, Role } from '@baton/protocol';
import type { DeviceRegistry } from '../auth/device-registry.js';
import type { Logger } from '../logger.js';
import type { AuditRecord, NewAuditRecord, Store } from '../storage/store.js';
import { KeystrokeBursts, type Burst } from './keystroke-bursts.js';

/** Rows are written at most this long after the action (one transaction per flush). */
const FLUSH_MS = 100;
/** A burst of keystrokes ends after this long without one ... */
const BURST_GAP_MS = 2_000;
/** ... or once it is this long. */
const BURST_MAX_MS = 30_000;
/** Rows kept in memory while the store cannot write; beyond this the oldest are dropped. */
const MAX_PENDING = 10_000;

/** A control action as the code performing it reports it. */
export interface AuditAction {
  /** `input`, `session.stop`, `device.role`, … (the list is in docs/protocol.md, "Audit log"). */
  action: string;
  /** The device that acted. */
  deviceId: string;
  sessionId?: string;
  detail?: Record<string, unknown>;
  /** The WebSocket connection it acted from; absent for the HTTP API (mode `http`). */
  connectionId?: string;
}

export interface AuditLogOptions {
  store: Store;
  devices: DeviceRegistry;
  log: Logger;
  /** The mode of an open connection (`tab`, `cli`, …), or undefined when it is gone. */
  modeOf(connectionId: string): string | undefined;
  /** Rows older than this are deleted at start and once a day; 0 keeps them forever. */
  retentionDays?: number;
}

/**
 * The audit log: every control action, append-only, with the device's name, role and mode as
 * they were when it acted. `record` is synchronous and never waits for the store: rows are
 * queued and written in one transaction per FLUSH_MS, so auditing adds no store round-trip to
 * an input's path (its ack does not wait for its audit row). Keystrokes are coalesced into
 * bursts (KeystrokeBursts). A store that cannot write keeps the rows queued (up to MAX_PENDING)
 * and they are written when it can again.
 */
export class AuditLog {
  private pending: NewAuditRecord[] = [];
  private readonly bursts = new KeystrokeBursts(BURST_GAP_MS, BURST_MAX_MS);
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private retention: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;
  private closed = false;

  constructor(private readonly opts: AuditLogOptions) {
    const days = opts.retentionDays ?? 0;
    if (days > 0) {
      const prune = () => {
        opts.store
          .pruneAudit(Date.now() - days * 86_400_000)
          .catch((err: unknown) =>
            opts.log.warn('could not prune the audit log', { error: (err as Error).message }),
          );
      };
      prune();
      this.retention = setInterval(prune, 86_400_000);
      this.retention.unref();
    }
  }

  /** Records a control action (any but a keystroke). Never throws, never waits. */
  record(entry: AuditAction): void {
    if (this.closed) return;
    // A device's open burst on this session goes first, so the rows keep the order of events.
    if (entry.sessionId !== undefined)
      for (const b of this.bursts.endFor(entry.deviceId, entry.sessionId)) this.queueBurst(b);
    this.queue(this.row(entry, Date.now()));
  }

  /**
   * Records a stored input: a chat message as its own row, a terminal keystroke into its
   * device's current burst on the session.
   */
  recordInput(
    entry: { deviceId: string; sessionId: string; connectionId?: string },
    seq: number,
    kind: 'terminal' | 'message',
  ): void {
    if (this.closed) return;
    if (kind === 'message') {
      this.record({ ...entry, action: 'input', detail: { kind, seq } });
      return;
    }
    const closed = this.bursts.add(
      entry.deviceId,
      entry.sessionId,
      entry.connectionId,
      seq,
      Date.now(),
    );
    if (closed) this.queueBurst(closed);
    this.sweeper ??= setInterval(() => this.sweep(), BURST_GAP_MS / 2);
    this.sweeper.unref();
  }

  /** Stored rows, as clients see them. */
  async read(query: {
    sessionId?: string;
    deviceId?: string;
    after: number;
    limit: number;
  }): Promise<AuditEntry[]> {
    return (await this.opts.store.readAudit(query)).map(toEntry);
  }

  /** Writes what is queued (open bursts included) now; for tests and shutdown. */
  async flush(options: { bursts?: boolean } = {}): Promise<void> {
    if (options.bursts) for (const b of this.bursts.endAll()) this.queueBurst(b);
    while (this.flushing) await this.flushing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }

  /** Ends open bursts, writes everything queued, stops the timers. */
  async close(): Promise<void> {
    await this.flush({ bursts: true });
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.retention) clearInterval(this.retention);
  }

  private sweep(): void {
    for (const b of this.bursts.due(Date.now())) this.queueBurst(b);
    if (this.bursts.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private queueBurst(b: Burst): void {
    const entry: AuditAction = {
      action: 'input',
      deviceId: b.deviceId,
      sessionId: b.sessionId,
      detail: {
        kind: 'terminal',
        seqFrom: b.seqFrom,
        seqTo: b.seqTo,
        count: b.count,
        until: b.lastAt,
      },
    };
    if (b.connectionId !== undefined) entry.connectionId = b.connectionId;
    this.queue(this.row(entry, b.startedAt));
  }

  /** Fills in the device's name and role (on the session) and the connection's mode, now. */
  private row(entry: AuditAction, at: number): NewAuditRecord {
    const { devices } = this.opts;
    const device = devices.current(entry.deviceId);
    const role: Role =
      (entry.sessionId !== undefined
        ? devices.roleOn(entry.deviceId, entry.sessionId)
        : undefined) ??
      device?.role ??
      'viewer';
    const mode =
      entry.connectionId === undefined
        ? 'http'
        : (this.opts.modeOf(entry.connectionId) ?? 'unknown');
    const row: NewAuditRecord = {
      at,
      deviceId: entry.deviceId,
      deviceName: device?.name ?? entry.deviceId,
      mode,
      role,
      action: entry.action,
    };
    if (entry.sessionId !== undefined) row.sessionId = entry.sessionId;
    if (entry.detail !== undefined) row.detailJson = JSON.stringify(entry.detail);
    return row;
  }

  private queue(row: NewAuditRecord): void {
    this.pending.push(row);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, FLUSH_MS);
  }

  private write(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return this.flushing ?? Promise.resolve();
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.opts.store
      .appendAudit(batch)
      .then(() => {
        if (this.dropped > 0) {
          this.opts.log.error('audit rows were dropped while the store could not write', {
            dropped: this.dropped,
          });
          this.dropped = 0;
        }
      })
      .catch((err: unknown) => {
        // Put them back in front: they are retried with the next flush, in order.
        this.pending = [...batch, ...this.pending].slice(-MAX_PENDING);
        this.opts.log.error('could not write the audit log; retrying', {
          error: (err as Error).message,
          queued: this.pending.length,
        });
        if (!this.closed)
          this.timer ??= setTimeout(() => {
            this.timer = undefined;
            void this.write();
          }, 1_000);
      })
      .finally(() => {
        this.flushing = undefined;
        // Rows queued while this write ran have no timer of their own yet.
        if (this.pending.length > 0 && !this.closed)
          this.timer ??= setTimeout(() => {
            this.timer = undefined;
            void this.write();
          }, FLUSH_MS);
      });
    return this.flushing;
  }
}

function toEntry(r: AuditRecord): AuditEntry {
  const e: AuditEntry = {
    id: r.id,
    at: r.at,
    deviceId: r.deviceId,
    deviceName: r.deviceName,
    mode: r.mode,
    role: r.role,
    action: r.action,
  };
  if (r.sessionId !== undefined) e.sessionId = r.sessionId;
  if (r.detailJson !== undefined) e.detail = JSON.parse(r.detailJson) as Record<string, unknown>;
  return e;
}
