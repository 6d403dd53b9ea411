import { z } from 'zod';
import {
  AgentConversation,
  ATTACHMENT_TYPES,
  AnswerPermissionBody,
  CreatePairingBody,
  ControlBody,
  CreatePushSubscriptionBody,
  AuditEntry,
  DeviceListing,
  HostListResponse,
  PatchDeviceBody,
  PutSettingsBody,
  ServerSettings,
  SessionRoleBody,
  CreateSessionBody,
  ErrorBody,
  HandoffBody,
  LogEvent,
  PatchPushSubscriptionBody,
  PushPrefs,
  PairingCreated,
  PairingRedeemed,
  PairingStatus,
  PatchSessionBody,
  RedeemPairingBody,
  RegisterDeviceBody,
  ResumeBody,
  SessionControl,
  SessionInfo,
  SubmitInputBody,
  SyncBody,
  UploadAttachmentResult,
} from '@baton/protocol';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

let cached: unknown;

/** The OpenAPI 3.1 document of the HTTP API, generated from the same schemas that validate it. */
export function openApiDocument(version: string): unknown {
  if (cached) return cached;
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const json = (s: unknown) => ({ content: { 'application/json': { schema: s } } });
  const error = { description: 'error', ...json(ref('Error')) };
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const sessionOut = json({ type: 'object', properties: { session: ref('SessionInfo') } });
  const deviceOut = json({ type: 'object', properties: { device: ref('Device') } });
  const sessionIdParam = {
    name: 'sessionId',
    in: 'path',
    required: true,
    schema: { type: 'string' },
  };
  const op = (summary: string, extra: Record<string, unknown> = {}) => ({
    summary,
    security: [{ bearer: [] }],
    responses: { '200': { description: 'ok' }, default: error },
    ...extra,
  });
  cached = {
    openapi: '3.1.0',
    info: { title: 'baton HTTP API', version },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', properties: { error: schema(ErrorBody) } },
        SessionInfo: schema(SessionInfo),
        HostList: schema(HostListResponse),
        LogEvent: schema(LogEvent),
        RegisterDevice: schema(RegisterDeviceBody),
        CreateSession: schema(CreateSessionBody),
        PatchSession: schema(PatchSessionBody),
        SubmitInput: schema(SubmitInputBody),
        AnswerPermission: schema(AnswerPermissionBody),
        CreatePushSubscription: schema(CreatePushSubscriptionBody),
        PatchPushSubscription: schema(PatchPushSubscriptionBody),
        PushSubscription: {
          type: 'object',
          description: "One of this device's Web Push subscriptions (its keys are never shown)",
          properties: {
            id: { type: 'string' },
            endpoint: { type: 'string' },
            prefs: schema(PushPrefs),
            createdAt: { type: 'integer', description: 'milliseconds since the epoch' },
          },
        },
        CreatePairing: schema(CreatePairingBody),
        PairingCreated: schema(PairingCreated),
        PairingStatus: schema(PairingStatus),
        RedeemPairing: schema(RedeemPairingBody),
        PairingRedeemed: schema(PairingRedeemed),
        SessionControl: schema(SessionControl),
        Handoff: schema(HandoffBody),
        Resume: schema(ResumeBody),
        Control: schema(ControlBody),
        Sync: schema(SyncBody),
        SessionState: {
          type: 'object',
          description:
            "the session with who controls it and each attached device's role and mode (controller, mirror or observer)",
          properties: {
            session: ref('SessionInfo'),
            control: ref('SessionControl'),
            devices: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  deviceId: { type: 'string' },
                  deviceName: { type: 'string' },
                  role: { enum: ['owner', 'editor', 'viewer'] },
                  mode: { enum: ['controller', 'mirror', 'observer'] },
                  connections: { type: 'integer' },
                  since: { type: 'integer' },
                },
              },
            },
          },
        },
        Health: {
          type: 'object',
          required: ['ok', 'store', 'version', 'protocol', 'uptimeMs', 'sessions'],
          properties: {
            ok: { type: 'boolean' },
            store: {
              type: 'object',
              properties: {
                state: { type: 'string', enum: ['ok', 'degraded'] },
                error: { type: 'string' },
              },
            },
            version: { type: 'string' },
            protocol: {
              type: 'object',
              properties: { version: { type: 'integer' }, minSupported: { type: 'integer' } },
            },
            uptimeMs: { type: 'integer' },
            sessions: { type: 'integer', description: 'stored sessions' },
            connections: { type: 'integer', description: 'open WebSocket connections' },
            attachments: {
              type: 'object',
              description: 'what an attachment upload may be',
              properties: {
                maxBytes: { type: 'integer' },
                types: { type: 'array', items: { type: 'string' } },
              },
            },
            cluster: {
              type: 'object',
              description:
                'a node of a cluster (--cluster): the sessions it runs and how long ago it renewed their leases, or with none its heartbeat (above leaseMs: lapsed, cut off from PostgreSQL)',
              properties: {
                nodeId: { type: 'string' },
                ownedSessions: { type: 'integer' },
                leaseMs: { type: 'integer' },
                renewedAgoMs: { type: 'integer' },
              },
            },
          },
        },
        UploadAttachmentResult: schema(UploadAttachmentResult),
        Device: schema(DeviceListing),
        PatchDevice: schema(PatchDeviceBody),
        SessionRole: schema(SessionRoleBody),
        AuditEntry: schema(AuditEntry),
        AgentConversation: schema(AgentConversation),
        Settings: schema(ServerSettings),
        PutSettings: schema(PutSettingsBody),
      },
    },
    paths: {
      '/api/health': {
        get: {
          summary: 'Liveness, versions and whether the store can write (no auth)',
          responses: {
            '200': { description: 'ok; store.state is ok', ...json(ref('Health')) },
            '503': {
              description: 'the store cannot write: store.state is degraded, with error',
              ...json(ref('Health')),
            },
          },
        },
      },
      '/metrics': {
        get: {
          summary:
            'Prometheus metrics (text format). No token from loopback; from elsewhere the owner token, unless metrics.public',
          security: [{}, { bearer: [] }],
          responses: {
            '200': {
              description: 'the metrics',
              content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
            },
            '401': error,
            '403': error,
          },
        },
      },
      '/api/devices': {
        post: op('Register a device (owner role); returns its token once', {
          requestBody: json(ref('RegisterDevice')),
          responses: {
            '201': json({
              type: 'object',
              properties: {
                deviceId: { type: 'string' },
                token: { type: 'string' },
                name: { type: 'string' },
              },
            }),
            default: error,
          },
        }),
        get: op('List devices: role, per-session roles, modes, last seen, online (any device)', {
          responses: {
            '200': json({
              type: 'object',
              properties: { devices: { type: 'array', items: ref('Device') } },
            }),
            default: error,
          },
        }),
      },
      '/api/devices/{id}': {
        patch: op(
          'Rename a device and/or change its role (owner; any device may rename itself, never change its own role; the built-in owner cannot be changed). Applies to its open connections at once (device.changed).',
          {
            parameters: [idParam],
            requestBody: json(ref('PatchDevice')),
            responses: { '200': deviceOut, default: error },
          },
        ),
        delete: op(
          'Revoke a device and close its connections at once with 4403 (owner; not the built-in owner)',
          { parameters: [idParam] },
        ),
      },
      '/api/devices/{id}/sessions/{sessionId}': {
        put: op("Narrow a device's role on one session (owner; never widens it)", {
          parameters: [idParam, sessionIdParam],
          requestBody: json(ref('SessionRole')),
          responses: { '200': deviceOut, default: error },
        }),
        delete: op("Remove a device's narrowed role on one session (owner)", {
          parameters: [idParam, sessionIdParam],
          responses: { '200': deviceOut, default: error },
        }),
      },
      '/api/audit': {
        get: op(
          'The audit log, oldest first: every control action with device, mode, role and time (owner, or the role in settings.auditReadRole). Append-only.',
          {
            parameters: [
              { name: 'session', in: 'query', schema: { type: 'string' } },
              { name: 'device', in: 'query', schema: { type: 'string' } },
              {
                name: 'after',
                in: 'query',
                description: "an entry id: only later entries (pass the previous page's `next`)",
                schema: { type: 'integer', minimum: 0 },
              },
              {
                name: 'limit',
                in: 'query',
                schema: { type: 'integer', minimum: 1, maximum: 1000 },
              },
            ],
            responses: {
              '200': json({
                type: 'object',
                properties: {
                  entries: { type: 'array', items: ref('AuditEntry') },
                  next: { type: 'integer', description: 'pass as `after` for the next page' },
                  more: { type: 'boolean', description: 'the page was full' },
                },
              }),
              default: error,
            },
          },
        ),
      },
      '/api/agent-conversations': {
        get: op(
          "The Claude Code or Codex conversations on the server's host, newest first, that a session can adopt with config.resume (owner)",
          {
            parameters: [
              {
                name: 'kind',
                in: 'query',
                schema: { type: 'string', enum: ['claude', 'codex'], default: 'claude' },
              },
              {
                name: 'limit',
                in: 'query',
                schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
              },
            ],
            responses: {
              '200': json({
                type: 'object',
                properties: {
                  kind: { type: 'string' },
                  conversations: { type: 'array', items: ref('AgentConversation') },
                },
              }),
              default: error,
            },
          },
        ),
      },
      '/api/settings': {
        get: op('Server settings (any device)', {
          responses: { '200': json(ref('Settings')), default: error },
        }),
        put: op('Change server settings: who may read the audit log (owner)', {
          requestBody: json(ref('PutSettings')),
          responses: { '200': json(ref('Settings')), default: error },
        }),
      },
      '/api/pairings': {
        post: op(
          'Issue a pairing code (owner): a short single-use code, the pairing page URL with the code in its fragment, its QR code as SVG, the expiry and, over TLS, the certificate fingerprint',
          {
            requestBody: json(ref('CreatePairing')),
            responses: {
              '201': json(ref('PairingCreated')),
              default: error,
            },
          },
        ),
      },
      '/api/pairings/{id}': {
        get: op(
          'Whether a pairing code was redeemed (owner): waiting, paired (with the device) or expired',
          {
            parameters: [idParam],
            responses: { '200': json(ref('PairingStatus')), default: error },
          },
        ),
      },
      '/api/pairings/redeem': {
        post: {
          summary:
            'Redeem a pairing code for a device token of its own (no credential; rate limited per address). 404 not_found for an unknown or malformed code, 409 already_used, 410 expired, 429 rate_limited',
          security: [],
          requestBody: json(ref('RedeemPairing')),
          responses: {
            '201': json(ref('PairingRedeemed')),
            '404': error,
            '409': error,
            '410': error,
            '429': error,
            default: error,
          },
        },
      },
      '/api/push/key': {
        get: op("The server's VAPID public key (base64url), for PushManager.subscribe", {
          responses: {
            '200': json({ type: 'object', properties: { publicKey: { type: 'string' } } }),
            default: error,
          },
        }),
      },
      '/api/push/subscriptions': {
        get: op("List this device's Web Push subscriptions", {
          responses: {
            '200': json({
              type: 'object',
              properties: { subscriptions: { type: 'array', items: ref('PushSubscription') } },
            }),
            default: error,
          },
        }),
        post: op('Subscribe this browser to notifications (the same endpoint again replaces it)', {
          requestBody: json(ref('CreatePushSubscription')),
          responses: {
            '201': json({ type: 'object', properties: { subscription: ref('PushSubscription') } }),
            default: error,
          },
        }),
      },
      '/api/push/subscriptions/{id}': {
        patch: op("Change which notifications one of this device's subscriptions wants", {
          parameters: [idParam],
          requestBody: json(ref('PatchPushSubscription')),
          responses: {
            '200': json({ type: 'object', properties: { subscription: ref('PushSubscription') } }),
            default: error,
          },
        }),
        delete: op("Remove one of this device's subscriptions", { parameters: [idParam] }),
      },
      '/api/hosts': {
        get: op(
          "A relay's hosts, with or without sessions: online, last seen, sessions this device sees",
          { responses: { '200': json(ref('HostList')), default: error } },
        ),
      },
      '/api/sessions': {
        get: op('List sessions', {
          responses: {
            '200': json({
              type: 'object',
              properties: { sessions: { type: 'array', items: ref('SessionInfo') } },
            }),
            default: error,
          },
        }),
        post: op('Create a session', {
          requestBody: json(ref('CreateSession')),
          responses: { '201': sessionOut, default: error },
        }),
      },
      '/api/sessions/{id}': {
        get: op(
          'Get a session with who controls it and the attached devices, their roles and modes',
          {
            parameters: [idParam],
            responses: { '200': json(ref('SessionState')), default: error },
          },
        ),
        patch: op('Rename a session', {
          parameters: [idParam],
          requestBody: json(ref('PatchSession')),
          responses: { '200': sessionOut, default: error },
        }),
        delete: op('Delete a session and its log', { parameters: [idParam] }),
      },
      '/api/sessions/{id}/events': {
        get: op('Read stored events after a sequence number', {
          parameters: [
            idParam,
            { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5000 } },
            {
              name: 'epoch',
              in: 'query',
              description:
                'the epoch `after` belongs to; another epoch, or `after` beyond the head, is answered 409 epoch_changed',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': json({
              type: 'object',
              properties: {
                events: { type: 'array', items: ref('LogEvent') },
                headSeq: { type: 'integer' },
                firstSeq: { type: 'integer' },
                epoch: {
                  type: 'string',
                  description: 'the epoch of the log these positions belong to',
                },
                compacted: {
                  type: 'boolean',
                  description:
                    'true when events after `after` were compacted away; subscribe over WebSocket for a snapshot',
                },
              },
            }),
            default: error,
          },
        }),
      },
      '/api/sessions/{id}/inputs': {
        post: op('Submit an input with its client-chosen id (deduplicated)', {
          parameters: [idParam],
          requestBody: json(ref('SubmitInput')),
          responses: {
            '201': json({
              type: 'object',
              properties: { seq: { type: 'integer' }, duplicate: { const: false } },
            }),
            '200': json({
              type: 'object',
              properties: { seq: { type: 'integer' }, duplicate: { const: true } },
              description: 'a retry: the original sequence number',
            }),
            default: error,
          },
        }),
      },
      '/api/sessions/{id}/inputs/{inputId}/withdraw': {
        post: op(
          "Withdraw one of this device's queued chat messages before a turn takes it (idempotent). 409 already_started once a turn took it, 404 not_found when this device sent no input with that id",
          {
            parameters: [
              idParam,
              { name: 'inputId', in: 'path', required: true, schema: { type: 'string' } },
            ],
            responses: {
              '200': json({
                type: 'object',
                properties: { seq: { type: 'integer' }, duplicate: { type: 'boolean' } },
                description: 'the seq of the input.withdrawn event; duplicate for a repeat',
              }),
              default: error,
            },
          },
        ),
      },
      '/api/sessions/{id}/attachments': {
        post: op(
          `Upload an image or file for a chat message (send input to the session). The body is the bytes; the type is read from them (${ATTACHMENT_TYPES.join(', ')}). Stored once under their SHA-256, the attachment's id. 413 attachment_too_large over the limit (GET /api/health), 415 unsupported_attachment_type`,
          {
            parameters: [idParam],
            requestBody: {
              content: {
                'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
              },
            },
            responses: {
              '201': { description: 'stored now', ...json(ref('UploadAttachmentResult')) },
              '200': {
                description: 'the same bytes were stored before (duplicate: true)',
                ...json(ref('UploadAttachmentResult')),
              },
              default: error,
            },
          },
        ),
      },
      '/api/sessions/{id}/attachments/{attachmentId}': {
        get: op(
          'Read an attachment the session uses (read the session): uploaded to it or named by one of its messages; 404 for any other. Immutable: cache it',
          {
            parameters: [
              idParam,
              { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string' } },
            ],
            responses: {
              '200': {
                description: 'the bytes, with their type',
                content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
              },
              '304': { description: 'not modified (If-None-Match)' },
              default: error,
            },
          },
        ),
      },
      '/api/sessions/{id}/stop': {
        post: op('Stop the session (any device)', {
          parameters: [idParam],
          responses: { '200': sessionOut, default: error },
        }),
      },
      '/api/sessions/{id}/restart': {
        post: op('Start an exited or failed session again', {
          parameters: [idParam],
          responses: { '200': sessionOut, default: error },
        }),
      },
      '/api/sessions/{id}/interrupt': {
        post: op('Interrupt the current turn (agents) or send Ctrl-C (terminals)', {
          parameters: [idParam],
        }),
      },
      '/api/sessions/{id}/handoff': {
        post: op(
          'Hand the session to another device: a single-use link (token in the fragment) and its QR code, valid at most 5 minutes. Needs editor; takeover and mirror only while this device may steer (or is an owner)',
          {
            parameters: [idParam],
            requestBody: json(ref('Handoff')),
            responses: {
              '201': json({
                type: 'object',
                properties: {
                  token: { type: 'string' },
                  url: {
                    type: 'string',
                    description: 'opens the web app on the session and redeems the token',
                  },
                  qrSvg: { type: 'string', description: 'the url as an SVG QR code' },
                  expiresAt: { type: 'integer', description: 'epoch ms' },
                  mode: { enum: ['takeover', 'mirror', 'observe'] },
                },
              }),
              default: error,
            },
          },
        ),
      },
      '/api/sessions/{id}/resume': {
        post: {
          summary:
            'Redeem a handoff token (no bearer token needed; rate limited per address). With the bearer token of an existing device, that device receives the handoff and no token is returned; otherwise a device limited to this session is created. 409 already_used, 410 expired, 404 not_found (unknown, or for another session), 429 rate_limited',
          parameters: [idParam],
          requestBody: json(ref('Resume')),
          responses: {
            '200': json({
              type: 'object',
              properties: {
                deviceId: { type: 'string' },
                deviceToken: {
                  type: 'string',
                  description: 'absent when an existing device received it',
                },
                role: { enum: ['owner', 'editor', 'viewer'] },
                mode: { enum: ['takeover', 'mirror', 'observe'] },
                sessionId: { type: 'string' },
                control: ref('SessionControl'),
              },
            }),
            default: error,
          },
        },
      },
      '/api/sessions/{id}/control': {
        post: op(
          'Take control back (reclaim: owners only) or let every editor steer again (release: the controller or an owner)',
          {
            parameters: [idParam],
            requestBody: json(ref('Control')),
            responses: { '200': json(ref('SessionState')), default: error },
          },
        ),
      },
      '/api/sessions/{id}/sync': {
        post: op(
          'The events after `after` (one page; while `more`, call again with after = nextAfter) and the session state, for clients without a socket. A position the log no longer holds (another epoch, beyond the head, compacted) gets reset: true with the snapshot a subscriber would get, then the events after it',
          {
            parameters: [idParam],
            requestBody: json(ref('Sync')),
            responses: {
              '200': json({
                allOf: [
                  ref('SessionState'),
                  {
                    type: 'object',
                    properties: {
                      reset: { type: 'boolean' },
                      snapshot: {
                        type: 'object',
                        properties: { seq: { type: 'integer' }, state: {} },
                      },
                      events: { type: 'array', items: ref('LogEvent') },
                      headSeq: { type: 'integer' },
                      firstSeq: { type: 'integer' },
                      epoch: { type: 'string' },
                      nextAfter: { type: 'integer' },
                      more: { type: 'boolean' },
                    },
                  },
                ],
              }),
              default: error,
            },
          },
        ),
      },
      '/api/sessions/{id}/permissions': {
        post: op('Answer a permission request (first answer wins)', {
          parameters: [idParam],
          requestBody: json(ref('AnswerPermission')),
        }),
      },
    },
  };
  return cached;
}
