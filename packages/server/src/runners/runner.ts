import type {
  AgentConfig,
  AgentConversation,
  InputPayload,
  LogEvent,
  LogEventData,
  NewLogEvent,
  PermissionDecision,
  SealedEnvelopeShape,
  RunnerSnapshot,
  SessionKind,
  SessionStatus,
  TerminalConfig,
} from '@baton/protocol';
import type { Logger } from '../logger.js';
import type { ChildTracker } from './child-processes/child-registry.js';

/** How `RunnerContext.emit` stores its events (a relay's runner only). */
export interface EmitOptions {
  /** The host's `out` number the events stand for, stored in the same commit. */
  hostOut?: number;
  /**
   * A sealed session: the streamed messages whose final events these are (the host's `out`
   * names them, as their bodies are sealed). Their kept fragments are forgotten in the commit.
   */
  finishes?: readonly string[];
}

/** A sealed session's stream fragment on a relay, as its host sent it. */
export interface SealedFragment {
  readonly envelope: SealedEnvelopeShape;
  /**
   * Kept for subscribers that turn live mid-reply, until its message's final event commits:
   * only a host that says which `out` finishes a message (host link 5) has its fragments kept.
   */
  readonly keep: boolean;
}

/**
 * What a runner may do to its session. The session owns the log; a runner never writes to
 * storage or sockets itself.
 *
 * Invariant: `emit` resolves only after the events are committed; subscribers see them after
 * the commit, in sequence order. Call `emit` from one logical flow at a time if the order of two
 * emits matters (the log orders by call order).
 */
export interface RunnerContext {
  readonly sessionId: string;
  readonly kind: SessionKind;
  readonly config: TerminalConfig & AgentConfig;
  /** A directory private to this session (agent HOME, scratch files). Created on demand. */
  readonly sessionDir: string;
  readonly log: Logger;
  /**
   * Where every process the runner spawns is recorded, and how it is ended: a child and all it
   * started end together, and a crashed server's children are ended at the next start.
   */
  readonly children: ChildTracker;
  /**
   * Append events to the session's log. Resolves with the committed events. `hostOut` (a
   * relay's runner only) is the host's `out` number they stand for, stored in the same commit.
   */
  emit(events: NewLogEvent[], opts?: EmitOptions): Promise<LogEvent[]>;
  /** Send a volatile streaming fragment to current subscribers. Never stored. */
  stream(
    messageId: string,
    channel: 'text' | 'thinking',
    delta: string,
    /** A relay's sealed session: the host's sealed fragment (`delta` is empty). */
    sealed?: SealedFragment,
  ): void;
  /**
   * Record a status change (stored as a `session.status` event and pushed to session lists).
   * `hostOut` as for `emit`; nothing is stored (nor the number) when the status is unchanged.
   */
  setStatus(
    status: SessionStatus,
    extra?: { reason?: string; exitCode?: number; signal?: number; hostOut?: number },
  ): Promise<void>;
  /** Read stored events of this session (for resuming: agent ids, undelivered inputs). */
  readEvents(afterSeq: number, limit: number): Promise<LogEvent[]>;
  /** The session's projection state as of its last committed event (terminal screen, conversation). */
  latestSnapshot(): Promise<RunnerSnapshot>;
  /**
   * On a relay, sealed sessions: the host made a snapshot of the session at `seq` (verified
   * before this is called). Stored as the session's snapshot when it is newer than the one held.
   */
  hostSnapshot?(seq: number, sealed: SealedEnvelopeShape): Promise<void>;
  /**
   * The gate a chat message passes on its way to the agent: call it when a turn takes queued
   * messages, synchronously, and send only what it returns (the same messages, in the same
   * order, less those withdrawn). From then on they can no longer be withdrawn.
   */
  takeForTurn<T extends { deviceId: string; inputId: string }>(batch: T[]): T[];
  /** A stored attachment's type and bytes (a message's images and files, for the agent). */
  readAttachment(id: string): Promise<{ type: string; data: Uint8Array } | undefined>;
  /**
   * The name of a device, as its owner set it (undefined for an unknown id), so an agent can
   * be told who said what. Absent where no devices are known (tests): ids are used.
   */
  deviceName?(deviceId: string): string | undefined;
}

/**
 * An input as a runner takes it: always in the clear. A server stores only plaintext inputs for
 * the sessions it runs itself; a relay's sealed inputs go to a RemoteRunner, which forwards
 * them unread, and the host opens each before its runner takes it (host/host-session.ts).
 */
export type InputEvent = Extract<LogEvent, { type: 'input' }> & {
  data: Omit<LogEventData<'input'>, 'payload'> & { payload: InputPayload };
};

/**
 * A session's engine: a PTY shell, a Claude Code conversation, a Codex thread.
 *
 * The session calls these one at a time for inputs (the inbox awaits `input` before passing the
 * next one), so a runner sees inputs in log order. `interrupt`, `resize`, `answerPermission` and
 * `stop` may arrive while an `input` call is pending.
 */
export interface Runner {
  /** Start (or resume) the engine. Rejects with a clear message when it cannot start. */
  start(): Promise<void>;
  /** Take one input, already committed to the log. Resolve once it is taken (queued or sent). */
  input(event: InputEvent): Promise<void>;
  /**
   * Ctrl-C for a shell; interrupt the current turn for an agent. Never ends the session.
   * `deviceId` is who asked, recorded on an agent's interrupted turn (`stoppedBy`).
   */
  interrupt(deviceId?: string): Promise<void>;
  /** Resize the terminal. Agents ignore it. */
  resize(cols: number, rows: number): void;
  /** Answer an outstanding permission request. Rejects with `already_resolved` semantics via
   * `RunnerError` when it was answered before. Terminals do not implement it. */
  answerPermission?(requestId: string, answer: PermissionDecision, deviceId: string): Promise<void>;
  /**
   * Changes an agent's model and/or permission mode from the next turn on (`agent.settings`),
   * stored as `agent.settings.changed`. Rejects with a `RunnerError` when the agent has no such
   * mode or refuses the change. Terminals do not implement it.
   */
  changeSettings?(
    change: { model?: string; permissionMode?: string },
    deviceId: string,
  ): Promise<void>;
  /** Stop the engine and release its resources. Resolves when it has ended. */
  stop(): Promise<void>;
}

export interface RunnerFactory {
  readonly kind: SessionKind;
  /**
   * Checks before a session is created that the runner can work at all (binary installed,
   * credentials present). Rejects with a RunnerError('agent_unavailable', …) saying what to do.
   * Resolves with the config to store instead of the one given, when it completes it (the
   * working directory of an adopted conversation), else with nothing. `children` records a
   * helper process it starts to check the conversation to adopt (Codex's `app-server`).
   */
  preflight?(
    config: TerminalConfig & AgentConfig,
    children: ChildTracker,
  ): Promise<(TerminalConfig & AgentConfig) | undefined>;
  /**
   * The agent's conversations on the host that a session can adopt (`AgentConfig.resume`),
   * newest first, at most `limit`. Absent for runners that cannot adopt. `children` records a
   * helper process it starts to ask the agent (Codex's `app-server`).
   */
  listConversations?(limit: number, children: ChildTracker): Promise<AgentConversation[]>;
  create(ctx: RunnerContext): Runner;
}

/** An error a runner reports to the requesting client, with a protocol error code. */
export class RunnerError extends Error {
  constructor(
    readonly code:
      | 'agent_unavailable'
      | 'already_resolved'
      | 'not_found'
      | 'session_not_running'
      | 'bad_request'
      | 'internal',
    message: string,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}
