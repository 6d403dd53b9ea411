import { z } from 'zod';
import { ReceivedErrorCode } from './error-code.js';
import { Epoch, InputId, RequestId, Seq, SessionId } from './ids.js';
import { ReceivedLogEvent } from './log-event.js';
import { SealedEnvelopeShape } from './sealed.js';
import { Role } from './role.js';
import { Attachment, SessionInfo } from './session.js';
import { VolatileFrame } from './volatile-state.js';

/** Messages the server sends (downstream). */

export const Welcome = z.object({
  type: z.literal('welcome'),
  v: z.number().int(),
  connectionId: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  /**
   * The device's role (added in 2; absent from servers before roles: read as `owner`). The
   * server enforces it; clients use it to offer only what the device may do.
   */
  role: Role.optional(),
  /** Set when the device may see only this one session (paired or handed off for it). */
  sessionScope: SessionId.optional(),
  /** The server pings at this interval; a connection silent for 3 intervals is dropped. */
  heartbeatMs: z.number().int(),
  maxFrameBytes: z.number().int(),
});

export const Pong = z.object({ type: z.literal('pong'), rid: RequestId.optional(), t: z.number() });

/** The successful answer to a request; `result` depends on the request type (docs/protocol.md). */
export const Reply = z.object({ type: z.literal('reply'), rid: RequestId, result: z.unknown() });

/** A failed request (with its `rid`), a rejected input (with `inputId`), or a frame-level error. */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  rid: RequestId.optional(),
  sessionId: SessionId.optional(),
  inputId: InputId.optional(),
  /** One of `ErrorCode`; a code this package does not know is kept as a string (version.ts). */
  code: ReceivedErrorCode,
  message: z.string(),
  retryAfterMs: z.number().int().optional(),
  /** With `forbidden`: the least role that may do what was refused (added in 2). */
  requiredRole: Role.optional(),
});

/** An input is durable: stored at `seq`. Sent only to the connection that submitted it. */
export const Ack = z.object({
  type: z.literal('ack'),
  sessionId: SessionId,
  inputId: InputId,
  seq: Seq,
  duplicate: z.boolean(),
  /**
   * Set when the input was acknowledged without being stored: `not_responder` for a terminal
   * report (`payload.report`) from a window that is not the session's responder (another
   * window's answer is the one typed). `seq` is then the head at that moment.
   */
  ignored: z.literal('not_responder').optional(),
});

/**
 * One committed event of a subscribed session, in sequence order. An event of a type the client
 * does not know parses as `UnknownLogEvent`: the client advances past its `seq` and skips it.
 */
export const EventFrame = z.object({
  type: z.literal('event'),
  sessionId: SessionId,
  event: ReceivedLogEvent,
});

/**
 * Consecutive committed events of a subscribed session, in sequence order: one page of a replay
 * (catch-up), sent only to a connection whose `hello` said `eventPages: true`, or the events of
 * one live commit, sent only to a connection whose `hello` said `livePages: true`. It means
 * exactly what the same events as `event` frames, one after the other, would mean: the client
 * applies them one by one by the same rules. Every other live event comes as an `event` frame.
 */
export const EventsFrame = z.object({
  type: z.literal('events'),
  sessionId: SessionId,
  events: z.array(ReceivedLogEvent).min(1),
});

/**
 * Why a snapshot was sent. Informational only: whatever the reason, the client replaces its view
 * with `state` and continues from `seq + 1` in `epoch`.
 * - `retention`: the events after the client's position are no longer stored.
 * - `resync`: the server dropped a slow connection's backlog.
 * - `catchup`: a snapshot is much cheaper than the replay (a terminal joiner gets the screen).
 * - `reset`: the client's position is not in the session's log: its epoch differs (a backup was
 *   restored) or its `afterSeq` is beyond the head. Added in version 2; a version 1 connection
 *   receives `resync` instead.
 */
export const SnapshotReason = z.enum(['retention', 'resync', 'catchup', 'reset']);
export type SnapshotReason = z.infer<typeof SnapshotReason>;

/**
 * The state of a session as of `seq` in `epoch`, sent instead of a replay (see `SnapshotReason`).
 * The client replaces its view with `state` and continues from `seq + 1`. `state` is
 * kind-specific (docs/protocol.md). A reason this package does not know is kept as a string.
 */
export const Snapshot = z.object({
  type: z.literal('snapshot'),
  sessionId: SessionId,
  seq: Seq,
  epoch: Epoch,
  reason: z.union([SnapshotReason, z.string().min(1).max(64)]),
  state: z.unknown(),
});

/**
 * Volatile streaming fragments of agent output. Not stored; the final text is an event.
 * A subscriber that turns live while a message is still streaming first receives the text
 * streamed so far as one frame with `offset: 0` (the turn in progress is state a joiner needs).
 * `offset` (added in 2, additive) is where `delta` starts in the message's text: a client keeps
 * the first `offset` characters it holds and appends `delta`, so a repeated fragment never shows
 * twice. Servers that predate it send none: append.
 */
export const StreamFrame = z.object({
  type: z.literal('stream'),
  sessionId: SessionId,
  messageId: z.string(),
  channel: z.enum(['text', 'thinking']),
  delta: z.string(),
  offset: z.number().int().nonnegative().optional(),
  /**
   * Sealed sessions (added in 2, additive): the fragment sealed by the host, and `delta` is
   * `""`. Envelope kind `event`, id `s.<messageId>.<k>`, counter k (1, 2, … per message).
   */
  sealed: SealedEnvelopeShape.optional(),
});

/**
 * Who is attached to a session: its first 50 attachments in attach order (the window). Sent to a
 * connection right after it subscribes (after the `reply`); from then on it receives
 * `presence.changed` deltas. Not stored.
 */
export const Presence = z.object({
  type: z.literal('presence'),
  sessionId: SessionId,
  attached: z.array(Attachment),
  /** How many connections are attached in all (added in 2; absent from older servers). */
  attachedCount: z.number().int().nonnegative().optional(),
});

/**
 * Connections that attached to or left a session since the last presence frame. Coalesced (about
 * 50 ms), so a storm of joins costs a few frames, not one full list per join per subscriber.
 * Apply `left` (connection ids) first, then `joined` (replacing any entry with the same
 * connection id). Not stored.
 */
export const PresenceChanged = z.object({
  type: z.literal('presence.changed'),
  sessionId: SessionId,
  joined: z.array(Attachment),
  left: z.array(z.string()),
  /** How many connections are attached in all now (added in 2; absent from older servers). */
  attachedCount: z.number().int().nonnegative().optional(),
});

/** A session was created, changed (name, status, activity, attachments) or deleted. */
export const SessionsChanged = z.discriminatedUnion('change', [
  z.object({
    type: z.literal('sessions.changed'),
    change: z.literal('upsert'),
    session: SessionInfo,
  }),
  z.object({
    type: z.literal('sessions.changed'),
    change: z.literal('remove'),
    sessionId: SessionId,
  }),
]);

/**
 * This connection's device changed: it was renamed, or the owner changed its role or a
 * per-session role (added in 2, additive: a client that ignores it still has the server enforce
 * the new role). Sent to every open connection of the device at once; `role` and `sessionRoles`
 * replace what `welcome` said. Attachments that the new role may not write to are already
 * read-only when it arrives, and presence shows the new role.
 */
export const DeviceChanged = z.object({
  type: z.literal('device.changed'),
  deviceId: z.string(),
  name: z.string(),
  role: Role,
  /** Per-session narrowings of `role`, by session id (empty when none). */
  sessionRoles: z.record(SessionId, Role),
});

export const ServerMessage = z.union([
  Welcome,
  Pong,
  Reply,
  ErrorFrame,
  Ack,
  EventFrame,
  EventsFrame,
  Snapshot,
  StreamFrame,
  Presence,
  PresenceChanged,
  SessionsChanged,
  DeviceChanged,
  VolatileFrame,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type WelcomeMessage = z.infer<typeof Welcome>;
export type ErrorFrameMessage = z.infer<typeof ErrorFrame>;
export type AckMessage = z.infer<typeof Ack>;
export type EventFrameMessage = z.infer<typeof EventFrame>;
export type EventsFrameMessage = z.infer<typeof EventsFrame>;
export type SnapshotMessage = z.infer<typeof Snapshot>;
export type StreamMessage = z.infer<typeof StreamFrame>;
export type PresenceMessage = z.infer<typeof Presence>;
export type PresenceChangedMessage = z.infer<typeof PresenceChanged>;
export type SessionsChangedMessage = z.infer<typeof SessionsChanged>;
export type DeviceChangedMessage = z.infer<typeof DeviceChanged>;
