import { z } from 'zod';
import { Role } from './role.js';
import { queryInt } from './query-int.js';

/**
 * The audit log (`GET /api/audit`): every control action, append-only, with who did it, from
 * which kind of window, with which role, and when. It is not a session's log: it records that an
 * input was sent, not what was typed.
 */
export const AuditEntry = z.object({
  /** Ascending, for paging with `after`. */
  id: z.number().int().positive(),
  /** Unix milliseconds. */
  at: z.number().int(),
  deviceId: z.string(),
  /** The device's name when it acted. */
  deviceName: z.string(),
  /** The connection mode it acted from (`tab`, `cli`, …), or `http` for the HTTP API. */
  mode: z.string(),
  /** Its role (on the session, for session actions) when it acted. */
  role: Role,
  /** `input`, `stop`, `interrupt`, `permission.answer`, `session.rename`, … (docs/protocol.md). */
  action: z.string(),
  sessionId: z.string().optional(),
  /** Action-specific facts: the seq range of a burst of keystrokes, the new role, … */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z.object({
  entries: z.array(AuditEntry),
  /** Pass as `after` for the next page (the request's `after` when nothing newer is stored). */
  next: z.number().int(),
  /** Whether the page was full: more rows may follow right away. */
  more: z.boolean(),
});
export type AuditPage = z.infer<typeof AuditPage>;

/** `GET /api/audit` query: filter by session and/or device, page with `after` (an entry id). */
export const AuditQuery = z
  .object({
    session: z.string().min(1).max(200).optional(),
    device: z.string().min(1).max(200).optional(),
    after: queryInt({ min: 0 }).default(0),
    limit: queryInt({ min: 1, max: 1000 }).default(200),
  })
  .strict();

/** Server settings the owner changes (`GET`/`PUT /api/settings`). */
export const ServerSettings = z.object({
  /** The least role that may read the audit log: `owner` unless the owner opened it. */
  auditReadRole: Role,
});
export type ServerSettings = z.infer<typeof ServerSettings>;
export const PutSettingsBody = ServerSettings.partial().strict();
