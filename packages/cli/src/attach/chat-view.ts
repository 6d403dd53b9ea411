import { agentPrompt, type AgentPrompt } from '@baton/client';
import {
  withTurnUsage,
  type LogEvent,
  type SessionUsage,
  type StreamMessage,
} from '@baton/protocol';
import {
  clip,
  formatAgentEvent,
  formatUserMessage,
  sessionUsageText,
  summarizeToolInput,
  type ChatStyle,
  type DeviceNamer,
} from './chat-format.js';
import { formatToolDiff } from './chat-diff.js';
import { formatPromptRequest, formatPromptResolution, promptHint } from './chat-prompts.js';
import type { ChatScreen } from './chat-screen.js';
import { describeAttachment } from '../describe-attachment.js';

type PermissionRequest = Extract<LogEvent, { type: 'agent.permission.requested' }>;

export interface ChatViewOptions {
  screen: ChatScreen;
  style: ChatStyle;
  readOnly: boolean;
  /** Whether an input id was submitted from this window. */
  mine(inputId: string): boolean;
  name: DeviceNamer;
  /**
   * The session's head when this view attached: events up to it are history. Outstanding
   * permission requests are announced once the history is shown.
   */
  historyHead: number;
}

/**
 * The conversation as the chat view shows it, built from the confirmed log (and any snapshot's
 * events) plus volatile stream frames. Each event is rendered once, in seq order, however it
 * arrives (replay, snapshot after a reconnect, live). It also knows what the prompt depends on:
 * whether a turn is running and which permission requests wait for an answer.
 */
export class ChatView {
  private renderedSeq = 0;
  private turn: string | undefined;
  private readonly outstanding = new Map<string, PermissionRequest>();
  private readonly toolNames = new Map<string, string>();
  private readonly queued = new Set<string>();
  private readonly messageTexts = new Map<string, string>();
  /** What each permission request asks for (a plan, questions, a tool use), by request id. */
  private readonly prompts = new Map<string, AgentPrompt>();
  /** The conversation's tokens and cost so far, summed over the turn ends shown. */
  private usage: SessionUsage | undefined;
  private caughtUp: boolean;

  constructor(private readonly o: ChatViewOptions) {
    this.caughtUp = o.historyHead === 0;
  }

  /** Whether the agent is working on a turn right now. */
  get turnRunning(): boolean {
    return this.turn !== undefined;
  }

  /** Messages stored while a turn ran that no turn has taken (nor their device withdrawn), in log order. */
  queuedInputs(): string[] {
    return [...this.queued];
  }

  /** Permission requests waiting for an answer, oldest first. */
  waiting(): PermissionRequest[] {
    return [...this.outstanding.values()];
  }

  /** The events a snapshot summarises, up to `seq`: rendered as history. */
  applySnapshot(seq: number, events: readonly LogEvent[]): void {
    for (const e of events) this.apply(e);
    this.renderedSeq = Math.max(this.renderedSeq, seq);
    this.checkCaughtUp();
  }

  /** One event of the confirmed log; events already rendered are ignored. */
  apply(e: LogEvent): void {
    if (e.seq <= this.renderedSeq) return;
    this.renderedSeq = e.seq;
    this.render(e);
    this.checkCaughtUp();
  }

  /** A streamed fragment of the agent's output. */
  stream(m: StreamMessage): void {
    this.o.screen.delta(m.messageId, m.channel, m.delta);
  }

  private render(e: LogEvent): void {
    const { screen, style: s } = this.o;
    switch (e.type) {
      case 'input': {
        // A sealed input is opened before it reaches a view; one that is not has no text.
        if (!('text' in e.data.payload)) return;
        const queued = this.turnRunning;
        if (queued) this.queued.add(e.data.inputId);
        this.messageTexts.set(e.data.inputId, e.data.payload.text);
        const mine = this.o.mine(e.data.inputId);
        let line = formatUserMessage(s, this.o.name(e.data.deviceId), e.data.payload.text, {
          mine,
          queued,
        });
        if (mine && !queued) line += ' ' + s.dim('[sent]');
        for (const a of e.data.payload.attachments ?? [])
          line += '\n  ' + s.dim(describeAttachment(a));
        screen.print(line);
        return;
      }
      case 'input.withdrawn': {
        this.queued.delete(e.data.inputId);
        const text = this.messageTexts.get(e.data.inputId) ?? e.data.inputId;
        screen.print(
          s.dim(`── ${this.o.name(e.data.deviceId)} withdrew the queued "${clip(text, 40)}"`),
        );
        return;
      }
      case 'agent.turn.started': {
        this.turn = e.data.turnId;
        const late = e.data.inputIds.filter((id) => this.queued.delete(id));
        if (late.length > 0) {
          const texts = late.map((id) => `"${clip(this.messageTexts.get(id) ?? id, 40)}"`);
          screen.print(s.dim(`── now answering the queued ${texts.join(', ')}`));
        }
        return;
      }
      case 'agent.text':
        screen.finish(e.data.messageId, 'text', e.data.text);
        return;
      case 'agent.thinking':
        screen.finish(e.data.messageId, 'thinking', e.data.text);
        return;
      case 'agent.tool.call':
        this.toolNames.set(e.data.toolCallId, e.data.name);
        break;
      case 'agent.permission.requested':
        this.outstanding.set(e.data.requestId, e);
        this.prompts.set(e.data.requestId, agentPrompt(e.data.toolName, e.data.input));
        break;
      case 'agent.permission.resolved':
        this.outstanding.delete(e.data.requestId);
        break;
      case 'agent.turn.ended':
        this.turn = undefined;
        screen.endStreams();
        break;
      default:
        break;
    }
    const line =
      (e.type === 'agent.permission.requested' ? formatPromptRequest(s, e) : undefined) ??
      (e.type === 'agent.permission.resolved'
        ? formatPromptResolution(s, e, this.prompts.get(e.data.requestId), this.o.name)
        : undefined) ??
      formatAgentEvent(s, e, this.o.name, this.toolNames);
    if (line !== undefined) screen.print(line + this.sessionTotal(e));
    if (e.type === 'agent.tool.call') {
      const diff = formatToolDiff(s, e.data.name, e.data.input);
      if (diff !== undefined) screen.print(diff);
    }
    if (e.type === 'agent.permission.requested' && this.caughtUp) this.hint([e]);
  }

  /**
   * After a turn's own tokens and cost, the conversation's so far, once there is more than the
   * one turn (the agent snapshot keeps every turn end, so the sum is whole after retention too).
   */
  private sessionTotal(e: LogEvent): string {
    if (e.type !== 'agent.turn.ended') return '';
    const next = withTurnUsage(this.usage, e.data);
    if (next === this.usage || next === undefined) return '';
    this.usage = next;
    return next.turns > 1 ? this.o.style.dim(` · ${sessionUsageText(next)}`) : '';
  }

  /** Once the history is on screen, point at the requests that still wait for an answer. */
  private checkCaughtUp(): void {
    if (this.caughtUp || this.renderedSeq < this.o.historyHead) return;
    this.caughtUp = true;
    const waiting = this.waiting();
    if (waiting.length === 0) return;
    const { screen, style: s } = this.o;
    for (const r of waiting) {
      screen.print(
        formatPromptRequest(s, r) ??
          `${s.bold(s.yellow('? waiting for an answer'))} ${s.dim(`[${r.data.requestId}]`)}: ` +
            `${s.bold(r.data.toolName)} ${summarizeToolInput(r.data.input, 200)}`,
      );
    }
    this.hint(waiting);
  }

  private hint(requests: readonly PermissionRequest[]): void {
    const { screen, style: s } = this.o;
    if (this.o.readOnly) {
      screen.print(s.dim('  (read-only: a device that may write has to answer it)'));
      return;
    }
    const id = requests.length > 1 || this.outstanding.size > 1 ? ' [id]' : '';
    const first = requests[0];
    if (!first) return;
    const prompt = agentPrompt(first.data.toolName, first.data.input);
    const questions = prompt.kind === 'question' ? prompt.questions.length : 0;
    screen.print(s.dim(`  ${promptHint(prompt.kind, id, questions)}`));
  }
}
