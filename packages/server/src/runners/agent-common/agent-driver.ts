import type { AgentCommand, NewLogEvent, PermissionDecision, TokenUsage } from '@baton/protocol';
import type { AgentRunnerOptions } from './agent-runner-options.js';
import type { AgentSettings } from './agent-settings.js';
import type { SlashCommand } from './slash-command.js';
import type { RunnerContext } from '../runner.js';
import type { TurnAttachment } from './turn-attachments.js';

/** How a turn ended, as the agent reported it. */
export interface TurnResult {
  outcome: 'completed' | 'interrupted' | 'failed';
  error?: string;
  /** The agent's own usage report, stored as it is. */
  usage?: Record<string, unknown>;
  /** The same, normalised (see `TokenUsage`). */
  tokens?: TokenUsage;
  costUsd?: number;
  /** `costUsd` is baton's estimate from a price table, not the agent's figure. */
  costEstimated?: boolean;
  durationMs?: number;
}

/** A tool-use permission the agent asks for. `requestId` is the agent's own id. */
export interface PermissionAsk {
  requestId: string;
  toolName: string;
  input: unknown;
  toolCallId?: string;
  description?: string;
}

/** How the agent process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process wrote to stderr (or why it could not be spawned). */
  stderr: string;
}

/**
 * What a driver reports to its runner, translated from the agent's machine protocol. Calls are
 * made in the order the agent produced the things they describe; the runner stores them in
 * that order.
 */
export interface DriverSink {
  /** The agent's own conversation id (Claude session id, Codex thread id) is known. */
  bound(agentSessionId: string): void;
  /** A volatile streaming fragment. */
  stream(messageId: string, channel: 'text' | 'thinking', delta: string): void;
  /** Finished messages, thinking, tool calls and results, agent errors: stored in order. */
  events(events: NewLogEvent[]): void;
  permissionRequested(ask: PermissionAsk): void;
  /** The agent withdrew a request (for example because the turn was interrupted). */
  permissionCancelled(requestId: string, why: string): void;
  /** The current turn ended. */
  turnEnded(result: TurnResult): void;
  /** The slash commands the agent offers (the whole list; the runner stores it when it changed). */
  commands(commands: AgentCommand[]): void;
  /**
   * The agent started a new, empty conversation because of the running `/clear` command. Call
   * it after `bound` with the new conversation's id, so a resume continues the new one.
   */
  cleared(): void;
  /** The process ended. Also called after `stop()`; the runner knows which exits it asked for. */
  exited(exit: ProcessExit): void;
}

/**
 * One agent process speaking its machine protocol (Claude Code stream-json, Codex app-server
 * JSON-RPC). A driver knows the protocol; the ConversationRunner owns turns, queueing,
 * permissions and the log. A driver is used for one process lifetime and then dropped.
 */
export interface AgentDriver {
  /**
   * Spawns the process. `resumeId` continues a stored conversation (`--resume`,
   * `thread/resume`). Resolves when the agent accepts a turn; rejects with the reason otherwise.
   */
  start(resumeId: string | undefined): Promise<void>;
  /**
   * Starts one turn answering `texts`, in order, as one user message, with the messages'
   * `attachments` (in message order) as the agent takes them: images as images, other files
   * by the path they were saved at.
   */
  sendTurn(texts: string[], attachments: readonly TurnAttachment[]): Promise<void>;
  /**
   * Runs a slash command as the current turn (`text` is the message as typed); the turn ends
   * through `turnEnded`, and what the command printed is reported as `agent.text` events
   * carrying `command`. A command the agent does not have ends the turn as `failed` with an
   * error saying so. Absent: the message is sent as it is (`sendTurn`).
   */
  runCommand?(command: SlashCommand, text: string): Promise<void>;
  /**
   * Tells the running process about changed settings (only the fields present changed).
   * Rejects with the agent's own reason when it refuses one. A process started later gets the
   * settings from its context's config instead (`contextWithSettings`).
   */
  applySettings?(change: AgentSettings): Promise<void>;
  /** Asks the agent to end the current turn. The turn end arrives through `turnEnded`. */
  interrupt(): Promise<void>;
  /** Delivers the answer to a request previously reported through `permissionRequested`. */
  answerPermission(requestId: string, answer: PermissionDecision): void;
  /** Ends the process. Resolves once it has exited. */
  stop(): Promise<void>;
  /**
   * Reports, through `events`, what was streamed of messages the agent never finished. Called
   * before a stop ends the turn; drivers whose agent finishes its messages itself omit it.
   */
  keepPartialText?(): void;
}

/** What a driver is built from. */
export interface DriverInit {
  ctx: RunnerContext;
  sink: DriverSink;
  options: AgentRunnerOptions;
  /** The resolved path of the agent binary. */
  binary: string;
}

export type DriverFactory = (init: DriverInit) => AgentDriver;
