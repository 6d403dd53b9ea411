import { z } from 'zod';
import { ConnectionMode } from './connection-mode.js';
import { Role } from './role.js';
import { Epoch, InputId } from './ids.js';
import { PermissionDecision, SealedTerminalChecks, WireInputPayload } from './input-payload.js';
import { HandoffMode } from './session-control.js';
import { AgentConfig, SessionKind, SessionName, TerminalConfig } from './session.js';
import { queryInt } from './query-int.js';

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
export const SubmitInputBody = z.object({
  inputId: InputId,
  payload: WireInputPayload,
  ...SealedTerminalChecks.shape,
});
export const AnswerPermissionBody = z.object({
  requestId: z.string().min(1).max(256),
  answer: PermissionDecision,
});
export const EventsQuery = z
  .object({
    after: queryInt({ min: 0 }).default(0),
    limit: queryInt({ min: 1, max: 5000 }).default(1000),
    /** The epoch `after` belongs to; another one (or `after` beyond the head) is a 409 `epoch_changed`. */
    epoch: Epoch.optional(),
  })
  .strict();

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
 * Which Web Push notifications a subscription wants: a permission prompt waits, an agent's turn
 * ended, a terminal session exited, a session failed. Each defaults to on.
 */
export const PushPrefs = z
  .object({
    permission: z.boolean(),
    turnEnded: z.boolean(),
    terminalExited: z.boolean(),
    sessionFailed: z.boolean(),
  })
  .strict();
export type PushPrefs = z.infer<typeof PushPrefs>;
export type PushKind = keyof PushPrefs;

/**
 * A browser's PushSubscription as `subscription.toJSON()` gives it: the push service endpoint
 * (https) and the keys the payload is encrypted for (RFC 8291).
 */
export const BrowserPushSubscription = z.object({
  endpoint: z
    .string()
    .max(2048)
    .url()
    .refine((u) => /^https:\/\//i.test(u), 'the endpoint must be an https URL'),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    /** The browser's P-256 public key, uncompressed point, base64url (65 bytes). */
    p256dh: z
      .string()
      .regex(/^[A-Za-z0-9_-]{86,88}={0,2}$/, 'p256dh must be a base64url P-256 public key'),
    /** The 16-byte authentication secret, base64url. */
    auth: z.string().regex(/^[A-Za-z0-9_-]{22,24}={0,2}$/, 'auth must be 16 bytes in base64url'),
  }),
});
export const CreatePushSubscriptionBody = z.object({
  subscription: BrowserPushSubscription,
  prefs: PushPrefs.partial().strict().optional(),
});
export const PatchPushSubscriptionBody = z.object({ prefs: PushPrefs.partial().strict() });
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
