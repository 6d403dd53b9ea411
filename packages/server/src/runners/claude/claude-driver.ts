import { randomUUID } from 'node:crypto';
import { isImageType, type NewLogEvent, type PermissionDecision } from '@baton/protocol';
import {
  DEFAULT_STOP_GRACE_MS,
  JsonLinesProcess,
  agentCwd,
  agentEnv,
  asArray,
  asNumber,
  asObject,
  asString,
  describeAttachedFile,
  type AgentDriver,
  type AgentSettings,
  type DriverInit,
  type JsonObject,
  type SlashCommand,
  type TurnAttachment,
} from '../agent-common/index.js';
import { claudeArgs } from './claude-args.js';
import { claudeTokens } from './claude-usage.js';
import {
  claudePermissionAsk,
  claudePermissionResponse,
  type ClaudePermissionAsk,
} from './claude-permission-answer.js';

const INTERRUPT_ACK_TIMEOUT_MS = 5_000;
/** What Claude prints for a slash command it does not have (`Unknown command: /name`). */
const UNKNOWN_COMMAND = /^Unknown command: \/\S+$/;
/** Claude's text for an empty message (what `/clear` prints). */
const NO_CONTENT = '(no content)';
/**
 * Names Claude Code runs although its `init` list leaves them out: aliases of listed commands
 * (`/cost`, and `/reset` and `/new` for `/clear`) and the session commands of its terminal UI.
 */
const UNLISTED_COMMANDS: ReadonlySet<string> = new Set(['cost', 'reset', 'new', 'exit', 'quit']);
const SETTINGS_ANSWER_TIMEOUT_MS = 10_000;

/** Claude's answer to one of our control requests: success, or its error text. */
type ControlAnswer = { ok: true } | { ok: false; error: string };

/**
 * Drives one `claude -p` process over its stream-json protocol.
 *
 * - stdin: `{"type":"user",…}` messages (one per turn) and control messages: our `interrupt`
 *   request, and `control_response`s answering the CLI's `can_use_tool` permission requests.
 * - stdout: `system/init` (carries the session id), `stream_event`s (partial message deltas,
 *   streamed live), one `assistant` line per finished content block (text, thinking, tool_use),
 *   `user` lines with tool results, `control_request`/`control_cancel_request` for permissions,
 *   and one `result` per turn. A result may say `subtype: "success"` with `is_error: true` (a
 *   failed API call), so `is_error` decides the outcome.
 */
export class ClaudeDriver implements AgentDriver {
  private proc: JsonLinesProcess | undefined;
  /** Stream ids of the content blocks of the message being streamed, by block index. */
  private readonly streamIds = new Map<number, string>();
  private streamingMessageId: string | undefined;
  /** Finished blocks seen per message id; the nth block's id is `msg` or `msg#n`. */
  private readonly finishedBlocks = new Map<string, number>();
  /** Open `can_use_tool` requests by request id, for their answers. */
  private readonly permissionAsks = new Map<string, ClaudePermissionAsk>();
  /** Our control requests waiting for Claude's `control_response`, by request id. */
  private readonly controlAnswers = new Map<string, (answer: ControlAnswer) => void>();
  /** The slash command the current turn runs, whose output is shown as the command's. */
  private command: string | undefined;
  /** Claude's answer to a command it does not have, which fails the turn instead of showing. */
  private unknownCommand: string | undefined;
  /** The commands the last `init` listed; unknown before the first one. */
  private offered: ReadonlySet<string> | undefined;
  private sessionId: string | undefined;

  constructor(private readonly init: DriverInit) {}

  start(resumeId: string | undefined): Promise<void> {
    const { ctx, sink, binary } = this.init;
    const conversation = resumeId ? { resume: resumeId } : { create: randomUUID() };
    this.proc = new JsonLinesProcess(
      {
        binary,
        args: claudeArgs(ctx.config, conversation),
        cwd: agentCwd(ctx.config),
        env: agentEnv(ctx.config),
        children: ctx.children,
      },
      {
        onMessage: (m) => this.onMessage(m),
        onNoise: (line) => ctx.log.debug('claude printed a non-JSON line', { line }),
        onExit: (exit) => sink.exited(exit),
      },
    );
    // Claude prints nothing until it gets the first message; a failed start shows as an exit.
    return Promise.resolve();
  }

  sendTurn(texts: string[], attachments: readonly TurnAttachment[]): Promise<void> {
    // Images go as the Messages API's image blocks (base64), as Claude Code sends a pasted
    // image; other files by their path, which Claude reads with its Read tool.
    const blocks = [
      ...texts.map((text) => ({ type: 'text', text })),
      ...attachments.map((a) =>
        isImageType(a.type)
          ? {
              type: 'image',
              source: { type: 'base64', media_type: a.type, data: a.data.toString('base64') },
            }
          : { type: 'text', text: describeAttachedFile(a) },
      ),
    ];
    const content = texts.length === 1 && attachments.length === 0 ? texts[0]! : blocks;
    const sent = this.proc?.send({ type: 'user', message: { role: 'user', content } });
    return sent ? Promise.resolve() : Promise.reject(new Error('claude is not running'));
  }

  runCommand(command: SlashCommand, text: string): Promise<void> {
    // Claude Code 2.1.332 hands a name it does not know to the model as an ordinary message
    // (earlier releases printed "Unknown command"), so a name it has not listed is refused here,
    // the same way for every release.
    if (
      this.offered !== undefined &&
      !this.offered.has(command.name) &&
      !UNLISTED_COMMANDS.has(command.name)
    ) {
      this.init.sink.turnEnded({
        outcome: 'failed',
        error: unknownCommandError(`Unknown command: /${command.name}`),
      });
      return Promise.resolve();
    }
    this.command = command.name;
    return this.sendTurn([text], []);
  }

  async interrupt(): Promise<void> {
    await this.control({ subtype: 'interrupt' }, INTERRUPT_ACK_TIMEOUT_MS);
  }

  /**
   * `set_model` and `set_permission_mode` control requests. Claude answers each with a
   * `control_response`; an `error` one (say, `bypassPermissions` in a process not started with
   * `--dangerously-skip-permissions`) rejects with Claude's reason.
   */
  async applySettings(change: AgentSettings): Promise<void> {
    const requests: JsonObject[] = [];
    if (change.model !== undefined) requests.push({ subtype: 'set_model', model: change.model });
    if (change.permissionMode !== undefined)
      requests.push({ subtype: 'set_permission_mode', mode: change.permissionMode });
    for (const request of requests) {
      const answer = await this.control(request, SETTINGS_ANSWER_TIMEOUT_MS);
      if (answer === undefined)
        throw new Error(`Claude Code did not answer within ${SETTINGS_ANSWER_TIMEOUT_MS} ms`);
      if (!answer.ok) throw new Error(answer.error);
    }
  }

  /** Sends a control request; resolves with Claude's answer, or undefined after `timeoutMs`. */
  private async control(
    request: JsonObject,
    timeoutMs: number,
  ): Promise<ControlAnswer | undefined> {
    const requestId = `baton-${String(request.subtype)}-${randomUUID()}`;
    const answered = new Promise<ControlAnswer | undefined>((resolve) => {
      this.controlAnswers.set(requestId, resolve);
      setTimeout(() => resolve(undefined), timeoutMs).unref();
    });
    const sent = this.proc?.send({ type: 'control_request', request_id: requestId, request });
    const answer = sent ? await answered : undefined;
    this.controlAnswers.delete(requestId);
    return answer;
  }

  answerPermission(requestId: string, answer: PermissionDecision): void {
    const response = claudePermissionResponse(answer, this.permissionAsks.get(requestId));
    this.permissionAsks.delete(requestId);
    this.proc?.send({
      type: 'control_response',
      response: { subtype: 'success', request_id: requestId, response },
    });
  }

  async stop(): Promise<void> {
    await this.proc?.stop(this.init.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
  }

  // ---- stdout ----------------------------------------------------------------------------------

  private onMessage(raw: unknown): void {
    const m = asObject(raw);
    if (!m) return;
    switch (m.type) {
      case 'system':
        if (m.subtype === 'init') this.onInit(m);
        return;
      case 'stream_event':
        if (m.parent_tool_use_id == null) this.onStreamEvent(asObject(m.event));
        return;
      case 'assistant':
        if (m.parent_tool_use_id == null) this.onAssistant(asObject(m.message));
        return;
      case 'user':
        this.onUser(asObject(m.message));
        return;
      case 'control_request':
        this.onControlRequest(asString(m.request_id), asObject(m.request));
        return;
      case 'control_cancel_request': {
        const id = asString(m.request_id);
        if (id) {
          this.permissionAsks.delete(id);
          this.init.sink.permissionCancelled(id, 'Claude withdrew the request');
        }
        return;
      }
      case 'control_response': {
        const response = asObject(m.response);
        const id = asString(response?.request_id);
        const answer: ControlAnswer =
          response?.subtype === 'error'
            ? { ok: false, error: asString(response.error) ?? 'Claude Code refused it' }
            : { ok: true };
        if (id) this.controlAnswers.get(id)?.(answer);
        return;
      }
      case 'result':
        this.onResult(m);
        return;
      default:
        return;
    }
  }

  /**
   * `system/init` starts every turn: it names the conversation (a new one after `/clear`) and
   * lists the slash commands this process offers.
   */
  private onInit(m: JsonObject): void {
    const { sink } = this.init;
    const id = asString(m.session_id);
    if (id) {
      const previous = this.sessionId;
      this.sessionId = id;
      sink.bound(id);
      if (previous !== undefined && previous !== id && isClear(this.command)) sink.cleared();
    }
    const names = asArray(m.slash_commands).filter((c): c is string => typeof c === 'string');
    if (names.length > 0) {
      this.offered = new Set(names);
      sink.commands(names.map((name) => ({ name })));
    }
  }

  private onStreamEvent(e: JsonObject | undefined): void {
    if (!e) return;
    if (e.type === 'message_start') {
      this.streamingMessageId = asString(asObject(e.message)?.id);
      this.streamIds.clear();
      return;
    }
    const index = asNumber(e.index);
    if (index === undefined || !this.streamingMessageId) return;
    if (e.type === 'content_block_start') {
      this.streamIds.set(index, blockId(this.streamingMessageId, index));
      return;
    }
    if (e.type !== 'content_block_delta') return;
    const id = this.streamIds.get(index) ?? blockId(this.streamingMessageId, index);
    const delta = asObject(e.delta);
    if (delta?.type === 'text_delta') {
      const text = asString(delta.text);
      if (text) this.init.sink.stream(id, 'text', text);
    } else if (delta?.type === 'thinking_delta') {
      const text = asString(delta.thinking);
      if (text) this.init.sink.stream(id, 'thinking', text);
    }
  }

  private onAssistant(message: JsonObject | undefined): void {
    const messageId = asString(message?.id);
    if (!message || !messageId) return;
    // A `<synthetic>` message is no reply of the model: during a slash command's turn it is
    // what the command printed (shown as its output); otherwise it is a failed API call, whose
    // error the turn's result carries, which is where it is shown.
    const command = message.model === '<synthetic>' ? this.command : undefined;
    if (message.model === '<synthetic>' && command === undefined) return;
    if (command !== undefined) {
      const text = synthText(message);
      if (UNKNOWN_COMMAND.test(text)) {
        this.unknownCommand = text;
        return;
      }
      // `/clear` prints nothing: Claude's placeholder for an empty message is not output.
      if (text === NO_CONTENT) return;
    }
    const events: NewLogEvent[] = [];
    for (const raw of asArray(message.content)) {
      const block = asObject(raw);
      if (!block) continue;
      const n = this.finishedBlocks.get(messageId) ?? 0;
      this.finishedBlocks.set(messageId, n + 1);
      const id = blockId(messageId, n);
      if (block.type === 'text') {
        const text = asString(block.text) ?? '';
        events.push({
          type: 'agent.text',
          data: command === undefined ? { messageId: id, text } : { messageId: id, text, command },
        });
      } else if (block.type === 'thinking') {
        const text = asString(block.thinking) ?? '';
        if (text) events.push({ type: 'agent.thinking', data: { messageId: id, text } });
      } else if (block.type === 'tool_use') {
        events.push({
          type: 'agent.tool.call',
          data: {
            toolCallId: asString(block.id) ?? id,
            name: asString(block.name) ?? 'unknown',
            input: block.input ?? {},
          },
        });
      }
    }
    this.init.sink.events(events);
  }

  private onUser(message: JsonObject | undefined): void {
    const events: NewLogEvent[] = [];
    for (const raw of asArray(message?.content)) {
      const block = asObject(raw);
      const toolCallId = asString(block?.tool_use_id);
      if (block?.type !== 'tool_result' || !toolCallId) continue;
      events.push({
        type: 'agent.tool.result',
        data: { toolCallId, output: block.content ?? null, isError: block.is_error === true },
      });
    }
    this.init.sink.events(events);
  }

  private onControlRequest(requestId: string | undefined, request: JsonObject | undefined): void {
    if (!requestId || !request) return;
    if (request.subtype !== 'can_use_tool') {
      this.proc?.send({
        type: 'control_response',
        response: {
          subtype: 'error',
          request_id: requestId,
          error: `baton does not handle '${String(request.subtype)}' control requests`,
        },
      });
      return;
    }
    const kept = claudePermissionAsk(request);
    this.permissionAsks.set(requestId, kept);
    const ask: Parameters<DriverInit['sink']['permissionRequested']>[0] = {
      requestId,
      toolName: kept.toolName,
      input: kept.input,
    };
    const toolCallId = asString(request.tool_use_id);
    if (toolCallId) ask.toolCallId = toolCallId;
    const description = asString(request.description) ?? asString(request.decision_reason);
    if (description) ask.description = description;
    this.init.sink.permissionRequested(ask);
  }

  private onResult(m: JsonObject): void {
    const unknown = this.unknownCommand;
    this.command = undefined;
    this.unknownCommand = undefined;
    if (unknown !== undefined) {
      this.init.sink.turnEnded({
        outcome: 'failed',
        error: unknownCommandError(unknown),
      });
      return;
    }
    const isError = m.is_error === true;
    const result: Parameters<DriverInit['sink']['turnEnded']>[0] = {
      outcome: isError ? 'failed' : 'completed',
    };
    if (isError) result.error = resultError(m);
    const usage = asObject(m.usage);
    if (usage) result.usage = usage;
    const tokens = usage && claudeTokens(usage);
    if (tokens) result.tokens = tokens;
    const cost = asNumber(m.total_cost_usd);
    if (cost !== undefined) result.costUsd = cost;
    const duration = asNumber(m.duration_ms);
    if (duration !== undefined) result.durationMs = duration;
    this.init.sink.turnEnded(result);
  }
}

function blockId(messageId: string, n: number): string {
  return n === 0 ? messageId : `${messageId}#${n}`;
}

function resultError(m: JsonObject): string {
  const text = asString(m.result);
  if (text) return text;
  const errors = asArray(m.errors).filter((e): e is string => typeof e === 'string');
  if (errors.length > 0) return errors.join('; ');
  return `Claude ended the turn with ${asString(m.subtype) ?? 'an error'}`;
}

/** Claude Code's `/clear` and its aliases. */
function isClear(command: string | undefined): boolean {
  return command === 'clear' || command === 'reset' || command === 'new';
}

/** The text blocks of a message, joined. */
function synthText(message: JsonObject): string {
  return asArray(message.content)
    .map((b) => asString(asObject(b)?.text) ?? '')
    .join('')
    .trim();
}

/** The error of a turn that named a command Claude Code does not have. */
function unknownCommandError(unknown: string): string {
  return `${unknown}: Claude Code has no such command here (type / to see the ones it offers; start a message with // to send one that begins with a slash)`;
}
