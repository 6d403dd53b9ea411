import { z } from 'zod';
import { AgentModel, AgentPermissionMode } from './agent-settings.js';
import { ConnectionMode } from './connection-mode.js';
import { GetDocument, ListDocuments, ResolveDocument, WriteDocument } from './document.js';
import { Epoch, InputId, RequestId, Seq, SessionId } from './ids.js';
import { PermissionDecision, SealedTerminalChecks, WireInputPayload } from './input-payload.js';
import { AgentConfig, SessionKind, SessionName, TerminalConfig } from './session.js';
import { SendVolatile } from './volatile-state.js';

/**
 * Messages a client sends (upstream). The first frame on a socket must be `hello`; every other
 * frame is validated against `ClientMessage` and answered with an `error` frame when it does not
 * match. Requests that carry `rid` are answered by a `reply` (or `error`) with the same `rid`.
 */

export const Hello = z.object({
  type: z.literal('hello'),
  /** The protocol version the client speaks. */
  v: z.number().int().positive(),
  /** A device token, or the owner token. */
  token: z.string().min(1).max(512),
  mode: ConnectionMode,
  /** Free-form label for this window or process, shown in presence. */
  label: z.string().max(200).optional(),
  /**
   * The client takes `events` frames (a replay page in one message). Without it the server sends
   * every event as its own `event` frame. Added in 2; older servers ignore it.
   */
  eventPages: z.boolean().optional(),
  /**
   * The client takes a live commit's events as one `events` frame too: the events a session
   * committed together (two or more) come in one message instead of one `event` frame each.
   * Added in 2; older servers ignore it and send `event` frames.
   */
  livePages: z.boolean().optional(),
});

export const Ping = z.object({ type: z.literal('ping'), rid: RequestId.optional() });

/** Start receiving `sessions.changed` for every session. Replies with the current list. */
export const WatchSessions = z.object({ type: z.literal('sessions.watch'), rid: RequestId });
export const UnwatchSessions = z.object({ type: z.literal('sessions.unwatch'), rid: RequestId });

export const CreateSession = z.object({
  type: z.literal('session.create'),
  rid: RequestId,
  kind: SessionKind,
  name: SessionName.optional(),
  config: z.union([TerminalConfig.strict(), AgentConfig.strict()]).optional(),
});
export const RenameSession = z.object({
  type: z.literal('session.rename'),
  rid: RequestId,
  sessionId: SessionId,
  name: SessionName,
});
/** Stop the session's runner (a shell is hung up; an agent process ends). The log stays. */
export const StopSession = z.object({
  type: z.literal('session.stop'),
  rid: RequestId,
  sessionId: SessionId,
});
/** Start an exited or failed session's runner again, in the same working directory. */
export const RestartSession = z.object({
  type: z.literal('session.restart'),
  rid: RequestId,
  sessionId: SessionId,
});
/** Delete the session and its log. Stops the runner first. */
export const DeleteSession = z.object({
  type: z.literal('session.delete'),
  rid: RequestId,
  sessionId: SessionId,
});

/**
 * Attach to a session and receive its events after `afterSeq`. The server replays what was
 * missed, then continues live with no gap at the seam. If events after `afterSeq` have been
 * compacted away, it sends a `snapshot` first and then the events after the snapshot.
 */
export const Subscribe = z.object({
  type: z.literal('subscribe'),
  rid: RequestId,
  sessionId: SessionId,
  afterSeq: Seq,
  /**
   * The epoch `afterSeq` belongs to (from an earlier reply, snapshot or session list). When it is
   * not the session's epoch, or `afterSeq` is beyond the head, the server starts with a
   * `snapshot` of reason `reset` instead of replaying. Omit it on a first subscribe.
   */
  epoch: Epoch.optional(),
  /** A read-only attachment cannot send input, resize or interrupt. */
  readOnly: z.boolean().optional(),
});
export const Unsubscribe = z.object({
  type: z.literal('unsubscribe'),
  rid: RequestId,
  sessionId: SessionId,
});
/** Read a range of stored events, for filling a gap the client detected. */
export const FetchEvents = z.object({
  type: z.literal('fetch'),
  rid: RequestId,
  sessionId: SessionId,
  afterSeq: Seq,
  /** The epoch `afterSeq` belongs to; a different one is answered with `epoch_changed`. */
  epoch: Epoch.optional(),
  limit: z.number().int().min(1).max(5000).optional(),
});

/**
 * Submit an input. Answered by `ack` (not `reply`) carrying the input's sequence number;
 * a retry with the same `inputId` is answered with the original number and `duplicate: true`.
 */
export const SubmitInput = z.object({
  type: z.literal('input'),
  sessionId: SessionId,
  inputId: InputId,
  payload: WireInputPayload,
  ...SealedTerminalChecks.shape,
});

/**
 * Withdraw one of this device's own stored inputs before the agent takes it (added in 2,
 * additive): a queued chat message is cancelled, and never reaches the agent. Answered by
 * `reply {seq, duplicate}` (the `input.withdrawn` event's seq; a repeat answers the same seq with
 * `duplicate: true`), or `error` with `already_started` (a turn took it), `not_found` (this
 * device stored no input with that id) or `bad_request` (a terminal session's keys).
 */
export const WithdrawInput = z.object({
  type: z.literal('input.withdraw'),
  rid: RequestId,
  sessionId: SessionId,
  inputId: InputId,
});

export const Resize = z.object({
  type: z.literal('resize'),
  rid: RequestId.optional(),
  sessionId: SessionId,
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
  /**
   * This window's size policy (added in 2, sticky per attachment until changed): `true` is
   * Fit to me (this size wins whoever types), `false` is Follow the writer (the default: the
   * PTY has the size of the window that typed last). Absent: unchanged.
   */
  fitToMe: z.boolean().optional(),
});

/** Interrupt the current turn (agents) or send Ctrl-C (terminals). Does not end the session. */
export const Interrupt = z.object({
  type: z.literal('interrupt'),
  rid: RequestId,
  sessionId: SessionId,
});

export const AnswerPermission = z.object({
  type: z.literal('permission.answer'),
  rid: RequestId,
  sessionId: SessionId,
  requestId: z.string().min(1).max(256),
  answer: PermissionDecision,
});

/**
 * Change an agent session's model and/or permission mode (added in 2, additive: a server without
 * it answers `invalid_message`). Applies from the next turn; every device sees the change as an
 * `agent.settings.changed` event, whose `seq` the reply carries. A running agent process is told
 * at once, so a value it refuses is answered with `bad_request` carrying its reason (and stored
 * as an `agent.error` every device sees); the settings then stay as they were. Also refused with
 * `bad_request`: a terminal session, neither field given, a permission mode the session's agent
 * does not have.
 */
export const ChangeAgentSettings = z.object({
  type: z.literal('agent.settings'),
  rid: RequestId,
  sessionId: SessionId,
  model: AgentModel.optional(),
  permissionMode: AgentPermissionMode.optional(),
});

/**
 * Whether this window's page is visible (Page Visibility API). A connection subscribed to a
 * session with a visible page counts as the device looking at that session: it gets no push
 * notification for it. A connection that never sends this counts as visible. Answered by an
 * empty `reply` when it carries `rid`.
 */
export const Visibility = z.object({
  type: z.literal('visibility'),
  rid: RequestId.optional(),
  visible: z.boolean(),
});

/** Say goodbye before closing, so presence drops this connection at once. */
export const Goodbye = z.object({ type: z.literal('goodbye') });

export const ClientMessage = z.discriminatedUnion('type', [
  Hello,
  Ping,
  WatchSessions,
  UnwatchSessions,
  CreateSession,
  RenameSession,
  StopSession,
  RestartSession,
  DeleteSession,
  Subscribe,
  Unsubscribe,
  FetchEvents,
  SubmitInput,
  WithdrawInput,
  Resize,
  Interrupt,
  AnswerPermission,
  ChangeAgentSettings,
  Visibility,
  GetDocument,
  ListDocuments,
  WriteDocument,
  ResolveDocument,
  SendVolatile,
  Goodbye,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;
export type HelloMessage = z.infer<typeof Hello>;
