import { z } from 'zod';
import { TokenUsage } from './agent-usage.js';
import { DocumentChanged } from './document.js';
import { InputId, Seq } from './ids.js';
import { AgentCommand, AgentModel, AgentPermissionMode } from './agent-settings.js';
import { PermissionDecision, SealedTerminalChecks, WireInputPayload } from './input-payload.js';
import { SealedEventData } from './sealed.js';
import { SessionKind, SessionStatus } from './session.js';
import { ControlAction, SessionControl } from './session-control.js';

/**
 * Present on events copied from a conversation baton adopted (`AgentConfig.resume`; added in 2,
 * additive): they happened before the session existed, outside baton. An imported `input` has
 * its `input.delivered` right after it and is never sent to the agent again.
 */
const Imported = z.literal(true).optional();

/**
 * The `deviceId` of an imported `input`: the person typed it into the agent's own CLI, before
 * any device of this server was involved. No registered device has this id.
 */
export const IMPORTED_DEVICE_ID = 'imported';

/**
 * The body of each event type in a session's log. Everything a late joiner needs is one of
 * these; volatile things (streaming fragments, presence) are separate frames, never stored.
 */
const bodies = {
  /** First event of every session. */
  'session.created': z.object({
    name: z.string(),
    kind: SessionKind,
    config: z.record(z.string(), z.unknown()),
  }),
  'session.renamed': z.object({ name: z.string() }),
  'session.status': z.object({
    status: SessionStatus,
    reason: z.string().optional(),
    exitCode: z.number().int().optional(),
    signal: z.number().int().optional(),
  }),
  /** An input accepted into the inbox. `inputId` is the client's id; retries do not repeat it. */
  input: z.object({
    inputId: InputId,
    deviceId: z.string(),
    connectionId: z.string().optional(),
    payload: WireInputPayload,
    imported: Imported,
    /** A sealed terminal input's clear `run`, `report` and `querySeq` (`SealedTerminalChecks`). */
    ...SealedTerminalChecks.shape,
  }),
  /**
   * The runner took the input (for agents: the turn that answers it started). `deviceId` names
   * the input's device (input ids are unique per device); absent in logs written before it was.
   */
  'input.delivered': z.object({ inputId: InputId, deviceId: z.string().optional() }),
  /**
   * The input's device withdrew it before any turn took it (added in 2, additive): it never
   * reaches the agent, and views drop it. `deviceId` is the input's device (ids are per device).
   */
  'input.withdrawn': z.object({ inputId: InputId, deviceId: z.string() }),
  /** A chunk of terminal output (UTF-8). Batched: about 5 ms or 64 KiB per event. */
  'terminal.output': z.object({ data: z.string() }),
  'terminal.resized': z.object({ cols: z.number().int(), rows: z.number().int() }),
  /** A turn began; `inputIds` are the messages it answers, in order. */
  'agent.turn.started': z.object({ turnId: z.string(), inputIds: z.array(InputId) }),
  /**
   * A complete assistant text block (its streaming fragments were volatile `stream` frames).
   * `command` (added in 2, additive) marks the output of a slash command rather than a reply of
   * the model: the command's name without `/` (`cost`, `context`, `compact`).
   */
  'agent.text': z.object({
    messageId: z.string(),
    text: z.string(),
    imported: Imported,
    command: z.string().optional(),
  }),
  'agent.thinking': z.object({ messageId: z.string(), text: z.string(), imported: Imported }),
  'agent.tool.call': z.object({
    toolCallId: z.string(),
    name: z.string(),
    input: z.unknown(),
    imported: Imported,
  }),
  'agent.tool.result': z.object({
    toolCallId: z.string(),
    output: z.unknown(),
    isError: z.boolean(),
    imported: Imported,
  }),
  /** The agent asks to use a tool. Outstanding until an `agent.permission.resolved`. */
  'agent.permission.requested': z.object({
    requestId: z.string(),
    toolName: z.string(),
    input: z.unknown(),
    toolCallId: z.string().optional(),
    description: z.string().optional(),
  }),
  'agent.permission.resolved': z.object({
    requestId: z.string(),
    resolution: PermissionDecision,
    deviceId: z.string(),
  }),
  'agent.turn.ended': z.object({
    turnId: z.string(),
    outcome: z.enum(['completed', 'interrupted', 'failed']),
    error: z.string().optional(),
    /** The device whose stop (`interrupt`) ended the turn; only with `interrupted`. */
    stoppedBy: z.string().optional(),
    /** The agent's own usage report, as it gave it (its shape differs per agent). */
    usage: z.record(z.string(), z.unknown()).optional(),
    /** The turn's tokens, the same for every agent (added in 2, additive). */
    tokens: TokenUsage.optional(),
    /** What the turn cost in US dollars: Claude's own figure, or baton's estimate for Codex. */
    costUsd: z.number().optional(),
    /**
     * `costUsd` is baton's estimate from its price table for the turn's model and `tokens`, not a
     * figure the agent reported (Codex reports none; added in 2, additive).
     */
    costEstimated: z.literal(true).optional(),
    durationMs: z.number().optional(),
  }),
  /** An error reported by the agent or the runner that did not end the session. */
  'agent.error': z.object({ message: z.string(), code: z.string().optional() }),
  /** Agent-specific identifiers (Claude session id, Codex thread id) used to resume. */
  'agent.bound': z.object({ agentSessionId: z.string(), agent: SessionKind }),
  /**
   * The model or permission mode of an agent session changed (added in 2, additive): from the
   * next turn on, the agent uses the fields present here; an absent field is unchanged.
   * `deviceId` is who changed it. The session's current settings are its config's, overridden by
   * every such event in log order.
   */
  'agent.settings.changed': z.object({
    model: AgentModel.optional(),
    permissionMode: AgentPermissionMode.optional(),
    deviceId: z.string(),
  }),
  /**
   * The agent's context was cleared (`/clear`; added in 2, additive): the session goes on, but
   * the agent starts a new conversation that remembers nothing said before this event.
   * `deviceId` is the device whose command cleared it.
   */
  'agent.cleared': z.object({ deviceId: z.string() }),
  /**
   * The slash commands the agent offers (added in 2, additive), for completion: the whole list,
   * replacing any earlier one. Stored when the agent reports it and it differs from the last.
   */
  'agent.commands': z.object({ commands: z.array(AgentCommand).max(2000) }),
  /**
   * Who may steer the session changed (added in 2, additive: older clients skip it). `control`
   * is the whole new state, so a client needs no earlier event to apply it; `action` and
   * `deviceId` say what changed it and which device did.
   */
  'control.changed': z.object({
    control: SessionControl,
    action: ControlAction,
    deviceId: z.string(),
  }),
  /**
   * One committed change of a shared document (added in 2, additive: older clients skip it).
   * Applied in order, these events rebuild every document (docs/protocol.md, "Shared documents").
   */
  'doc.changed': DocumentChanged,
} as const;

export type LogEventType = keyof typeof bodies;
export const LOG_EVENT_TYPES = Object.keys(bodies) as LogEventType[];

function variant<T extends LogEventType>(type: T) {
  return z.object({
    seq: Seq,
    /** Server time of the commit, epoch milliseconds. */
    ts: z.number(),
    type: z.literal(type),
    data: bodies[type],
  });
}

export const LogEvent = z.discriminatedUnion('type', [
  variant('session.created'),
  variant('session.renamed'),
  variant('session.status'),
  variant('input'),
  variant('input.delivered'),
  variant('input.withdrawn'),
  variant('terminal.output'),
  variant('terminal.resized'),
  variant('agent.turn.started'),
  variant('agent.text'),
  variant('agent.thinking'),
  variant('agent.tool.call'),
  variant('agent.tool.result'),
  variant('agent.permission.requested'),
  variant('agent.permission.resolved'),
  variant('agent.turn.ended'),
  variant('agent.error'),
  variant('agent.bound'),
  variant('agent.settings.changed'),
  variant('agent.cleared'),
  variant('agent.commands'),
  variant('control.changed'),
  variant('doc.changed'),
]);
export type LogEvent = z.infer<typeof LogEvent>;

/** The data of a given event type. */
export type LogEventData<T extends LogEventType> = z.infer<(typeof bodies)[T]>;

/** An event before the log assigns its sequence number and time. */
export type NewLogEvent = {
  [T in LogEventType]: { type: T; data: LogEventData<T> };
}[LogEventType];

export const LOG_EVENT_BODIES = bodies;

const KNOWN_TYPES: ReadonlySet<string> = new Set(LOG_EVENT_TYPES);

/**
 * An event whose type this version of the protocol package does not know: a newer server added
 * it (an additive change, see version.ts). Clients advance their position past it and otherwise
 * ignore it; they never treat it as a gap or an error. Only types outside `LOG_EVENT_TYPES` parse
 * as unknown: a known type with a malformed body is still invalid.
 */
export const UnknownLogEvent = z.object({
  seq: Seq,
  ts: z.number(),
  type: z
    .string()
    .min(1)
    .refine((t) => !KNOWN_TYPES.has(t), 'a known event type must match its own schema'),
  data: z.unknown(),
});
export type UnknownLogEvent = z.infer<typeof UnknownLogEvent>;

/**
 * An event of a sealed session that its host made (added in 2, additive; docs/protocol.md,
 * "Sealed sessions"): the type stays in the clear, the body is one sealed envelope. A client
 * opens it with the session key and parses the plaintext with the type's own schema.
 */
export const SealedLogEvent = z.object({
  seq: Seq,
  ts: z.number(),
  type: z.string().min(1).max(100),
  data: SealedEventData,
});
export type SealedLogEvent = z.infer<typeof SealedLogEvent>;

/**
 * An event as a client receives it: one it knows, one sealed by its host, or one of a type added
 * after it was built.
 */
export const ReceivedLogEvent = z.union([LogEvent, SealedLogEvent, UnknownLogEvent]);
export type ReceivedLogEvent = LogEvent | SealedLogEvent | UnknownLogEvent;

/** True when the event's body is a sealed envelope (to open before reading). */
export function isSealedLogEvent(e: ReceivedLogEvent): e is SealedLogEvent {
  const data = e.data as unknown;
  return typeof data === 'object' && data !== null && 'sealed' in data;
}

/**
 * True when the event's type is one this protocol package knows and its body is in the clear
 * (so it was validated against the type's schema).
 */
export function isKnownLogEvent(e: ReceivedLogEvent): e is LogEvent {
  return KNOWN_TYPES.has(e.type) && !isSealedLogEvent(e);
}
