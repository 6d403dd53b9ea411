import { z } from 'zod';
import { ConnectionMode } from './connection-mode.js';
import { Role } from './role.js';
import { Epoch, InputId } from './ids.js';
import { InputPayload, PermissionDecision } from './input-payload.js';
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
