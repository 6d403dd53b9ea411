import type { Role } from '@baton/protocol';
import type {
  AttachmentMeta,
  AuditRecord,
  DeviceRecord,
  GrantRecord,
  PushSubscriptionRecord,
  SessionRecord,
} from './store.js';

/**
 * Rows of the store's tables as both drivers return them (better-sqlite3's integers, and
 * node-postgres's BIGINT parsed to numbers by PgStore), and the records they make.
 */

export interface DeviceRow {
  /** Absent in rows read before migration 6 added the column (SQLite). */
  modes?: string;
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number;
  revoked_at: number | null;
  role: string;
  session_scope: string | null;
}
export interface GrantRow {
  code_hash: string;
  kind: string;
  role: string;
  session_scope: string | null;
  mode: string | null;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}
export interface PushRow {
  id: string;
  device_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  prefs: string;
  created_at: number;
}
export interface SessionRow {
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
  control: string | null;
  host_out: number | string;
}
export interface AuditRow {
  id: number;
  at: number;
  device_id: string;
  device_name: string;
  mode: string;
  role: string;
  action: string;
  session_id: string | null;
  detail: string | null;
}

export function toDevice(r: DeviceRow): DeviceRecord {
  const d: DeviceRecord = {
    id: r.id,
    name: r.name,
    tokenHash: r.token_hash,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    role: r.role as Role,
    modes: r.modes ? r.modes.split(',') : [],
  };
  if (r.revoked_at !== null) d.revokedAt = r.revoked_at;
  if (r.session_scope !== null) d.sessionScope = r.session_scope;
  return d;
}

export function toSession(r: SessionRow): SessionRecord {
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
  if (r.control !== null) s.control = r.control;
  // BIGINT arrives as a string from PostgreSQL.
  const hostOut = Number(r.host_out);
  if (hostOut > 0) s.hostOut = hostOut;
  return s;
}

export function toAudit(r: AuditRow): AuditRecord {
  const a: AuditRecord = {
    id: r.id,
    at: r.at,
    deviceId: r.device_id,
    deviceName: r.device_name,
    mode: r.mode,
    role: r.role as Role,
    action: r.action,
  };
  if (r.session_id !== null) a.sessionId = r.session_id;
  if (r.detail !== null) a.detailJson = r.detail;
  return a;
}

export interface AttachmentRow {
  id: string;
  type: string;
  size: number;
  created_at: number;
}

export function toAttachmentMeta(r: AttachmentRow): AttachmentMeta {
  return { id: r.id, type: r.type, size: r.size, createdAt: r.created_at };
}

export function toGrant(r: GrantRow): GrantRecord {
  const g: GrantRecord = {
    codeHash: r.code_hash,
    kind: r.kind as GrantRecord['kind'],
    role: r.role as Role,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
  if (r.session_scope !== null) g.sessionScope = r.session_scope;
  if (r.mode !== null) g.mode = r.mode;
  if (r.used_at !== null) g.usedAt = r.used_at;
  if (r.used_by !== null) g.usedBy = r.used_by;
  return g;
}

export function toPushSubscription(r: PushRow): PushSubscriptionRecord {
  return {
    id: r.id,
    deviceId: r.device_id,
    endpoint: r.endpoint,
    p256dh: r.p256dh,
    auth: r.auth,
    prefs: r.prefs,
    createdAt: r.created_at,
  };
}
