import { z } from 'zod';
import { ConnectionMode } from './connection-mode.js';
import { Role } from './role.js';
import { Epoch, InputId } from './ids.js';
import { InputPayload, PermissionDecision } from './input-payload.js';
import { HandoffMode } from './session-control.js';
import { AgentConfig, SessionKind, SessionName, TerminalConfig } from './session.js';

/** Request bodies of the HTTP API under /api (see the OpenAPI document at /api/openapi.json). */

export const RegisterDeviceBody = z.object({
  name: z.string().trim().min(1).max(200),
  mode: ConnectionMode.optional(),
  /** The new device's role; `owner` when omitted (the owner signing in its own devices). */
  role: Role.optional(),
});
export const CreateSessionBody = z.object({
  kind: SessionKind,
  name: SessionName.optional(),
  config: z.union([TerminalConfig.strict(), AgentConfig.strict()]).optional(),
});
export const PatchSessionBody = z.object({ name: SessionName });
export const SubmitInputBody = z.object({ inputId: InputId, payload: InputPayload });
export const AnswerPermissionBody = z.object({
  requestId: z.string().min(1).max(256),
  answer: PermissionDecision,
});
export const EventsQuery = z.object({
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  /** The epoch `after` belongs to; another one (or `after` beyond the head) is a 409 `epoch_changed`. */
  epoch: Epoch.optional(),
});

/** `POST /api/sessions/:id/handoff`: a single-use token that hands the session to another device. */
export const HandoffBody = z.object({
  mode: HandoffMode,
  /** How long the token lives, in seconds: at most 300 (the default). */
  ttlSeconds: z.number().int().min(1).max(300).optional(),
});
/** `POST /api/sessions/:id/resume`: redeems a handoff token (no bearer token needed). */
export const ResumeBody = z.object({
  handoffToken: z.string().min(1).max(200),
  /** The name of the device created for the receiver (ignored when it signs in as a device). */
  deviceName: z.string().trim().min(1).max(200),
});
/** `POST /api/sessions/:id/control`: an owner takes control back, or a controller releases it. */
export const ControlBody = z.object({ action: z.enum(['reclaim', 'release']) });
/** `POST /api/sessions/:id/sync`: the events after `after` and the session's state, for clients without a socket. */
export const SyncBody = z.object({
  after: z.number().int().nonnegative(),
  /** The epoch `after` belongs to; another one (or `after` beyond the head) answers with `reset`. */
  epoch: Epoch.optional(),
  limit: z.number().int().min(1).max(1000).default(500),
});
/**
 * `PATCH /api/devices/:id`: rename a device and/or change its role. A device may rename itself
 * whatever its role; everything else needs the owner.
 */
export const PatchDeviceBody = z
  .object({ name: z.string().trim().min(1).max(200).optional(), role: Role.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.role !== undefined, {
    message: 'send name, role or both',
  });
/** `PUT /api/devices/:id/sessions/:sessionId`: narrow a device's role on one session. */
export const SessionRoleBody = z.object({ role: Role }).strict();
