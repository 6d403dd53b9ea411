import { randomUUID } from 'node:crypto';
import type { NewLogEvent, PermissionDecision } from '@baton/protocol';
import {
  DEFAULT_STOP_GRACE_MS,
  JsonLinesProcess,
  agentCwd,
  agentEnv,
  asArray,
  asNumber,
  asObject,
  asString,
  type AgentDriver,
  type DriverInit,
  type JsonObject,
} from '../agent-common/index.js';
import { claudeArgs } from './claude-args.js';
import { claudeTokens } from './claude-usage.js';
import {
  claudePermissionAsk,
  claudePermissionResponse,
  type ClaudePermissionAsk,
} from './claude-permission-answer.js';

const INTERRUPT_ACK_TIMEOUT_MS = 5_000;

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
  private readonly interruptAcks = new Map<string, () => void>();

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

  sendTurn(texts: string[]): Promise<void> {
    const content = texts.length === 1 ? texts[0]! : texts.map((text) => ({ type: 'text', text }));
    const sent = this.proc?.send({ type: 'user', message: { role: 'user', content } });
    return sent ? Promise.resolve() : Promise.reject(new Error('claude is not running'));
  }

  async interrupt(): Promise<void> {
    const requestId = `baton-interrupt-${randomUUID()}`;
    const acked = new Promise<void>((resolve) => {
      this.interruptAcks.set(requestId, resolve);
      setTimeout(resolve, INTERRUPT_ACK_TIMEOUT_MS).unref();
    });
    const sent = this.proc?.send({
      type: 'control_request',
      request_id: requestId,
      request: { subtype: 'interrupt' },
    });
    if (sent) await acked;
    this.interruptAcks.delete(requestId);
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
        if (m.subtype === 'init') {
          const id = asString(m.session_id);
          if (id) this.init.sink.bound(id);
        }
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
        const id = asString(asObject(m.response)?.request_id);
        if (id) this.interruptAcks.get(id)?.();
        return;
      }
      case 'result':
        this.onResult(m);
        return;
      default:
        return;
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
    // Claude reports failed API calls as a synthetic assistant message; the turn's result
    // carries the same error, which is where it is shown.
    if (!message || !messageId || message.model === '<synthetic>') return;
    const events: NewLogEvent[] = [];
    for (const raw of asArray(message.content)) {
      const block = asObject(raw);
      if (!block) continue;
      const n = this.finishedBlocks.get(messageId) ?? 0;
      this.finishedBlocks.set(messageId, n + 1);
      const id = blockId(messageId, n);
      if (block.type === 'text') {
        events.push({
          type: 'agent.text',
          data: { messageId: id, text: asString(block.text) ?? '' },
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
