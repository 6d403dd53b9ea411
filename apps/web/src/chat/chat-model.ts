import type { OutboxEntry, SessionBase, StreamBuffer } from '@baton/client';
import {
  isKnownLogEvent,
  type LogEvent,
  type LogEventData,
  type MessageAttachment,
  type PermissionDecision,
  type TokenUsage,
} from '@baton/protocol';

/** One empty list for every message without attachments, so items compare equal. */
const NONE: readonly MessageAttachment[] = [];

/**
 * Where one of the user's messages is: `pending` while only this window has it (stored in the
 * outbox, maybe on the wire), `sent` once the server has stored it, `failed` when the server
 * refused it for good (it stays, with retry).
 */
export type MessageState = 'pending' | 'sent' | 'failed';

export type ChatItem =
  | {
      readonly type: 'user';
      readonly key: string;
      readonly inputId: string;
      readonly text: string;
      /** Images and files sent with the message (none: an empty array). */
      readonly attachments: readonly MessageAttachment[];
      readonly state: MessageState;
      /** Stored, but no turn has taken it yet. */
      readonly queued: boolean;
      readonly deviceId: string | undefined;
      readonly mine: boolean;
      readonly error: string | undefined;
    }
  | {
      readonly type: 'assistant' | 'thinking';
      readonly key: string;
      readonly text: string;
      readonly streaming: boolean;
      /** Output of this slash command (without `/`), not a reply of the model. */
      readonly command?: string | undefined;
    }
  | {
      /**
       * A tool call, its permission request and its result as one card. A request that names no
       * call the log holds (or a call of another id) is a card of its own, keyed by the request.
       */
      readonly type: 'tool';
      readonly key: string;
      readonly name: string;
      readonly input: unknown;
      readonly result: { readonly output: unknown; readonly isError: boolean } | undefined;
      readonly permission: ToolPermission | undefined;
    }
  | {
      readonly type: 'turn-end';
      readonly key: string;
      readonly outcome: 'completed' | 'interrupted' | 'failed';
      readonly error: string | undefined;
      /** The device that stopped the turn. */
      readonly stoppedBy: string | undefined;
      readonly costUsd: number | undefined;
      /** The cost is baton's estimate from a price table (Codex), not the agent's figure. */
      readonly costEstimated: boolean;
      readonly tokens: TokenUsage | undefined;
      readonly durationMs: number | undefined;
    }
  | {
      readonly type: 'notice';
      readonly key: string;
      readonly tone: 'info' | 'error';
      readonly text: string;
    }
  | {
      /** A device changed the conversation: "<who> <text>" (settings, a cleared context). */
      readonly type: 'change';
      readonly key: string;
      readonly deviceId: string;
      readonly text: string;
      /** A `/clear`: what comes after is a new conversation for the agent. */
      readonly cleared: boolean;
    };

/** A permission request on a tool card, and who answered it. */
export interface ToolPermission {
  readonly requestId: string;
  readonly description: string | undefined;
  readonly resolution: PermissionDecision | undefined;
  /** The device that answered (`baton` when the server resolved it). */
  readonly resolvedBy: string | undefined;
}

export interface ChatModel {
  readonly items: readonly ChatItem[];
  /** A turn started and has not ended (per the log). */
  readonly turnRunning: boolean;
  /** Stored messages no turn has taken yet. */
  readonly queued: number;
}

export interface ChatSource {
  readonly base: SessionBase | undefined;
  readonly events: readonly LogEvent[];
  /** Earlier events of the conversation are not held (the client keeps a recent window). */
  readonly truncated?: boolean;
  readonly pending: readonly OutboxEntry[];
  readonly streams: readonly StreamBuffer[];
  /** This device, to mark its own messages. */
  readonly deviceId: string | undefined;
}

type InputEvent = LogEvent & { type: 'input' };

/**
 * Builds the transcript from the confirmed log plus this device's pending inputs. It is a pure
 * function of its source, so every window that holds the same log shows the same transcript.
 *
 * Invariants (seed 002):
 * - The user's text is the `input` event's text, exactly as typed; context for the agent travels
 *   in the session config and is never part of a message.
 * - A message is placed where the agent took it: at the `agent.turn.started` that lists it (in
 *   its order), or at its `input.delivered`. Until then it stays at the end, after anything
 *   streaming, marked queued; messages still only in this window's outbox come last, in the order
 *   typed. Every step moves a message at most from "the end" to "the end", so it never jumps.
 * - Each message is keyed by its input id in every state, so it is never shown twice and its
 *   element survives the pending → sent transition.
 * - Nothing is ever replaced by a fetch: an outbox entry leaves the view only when the log holds
 *   its input.
 * - A message its device withdrew (`input.withdrawn`, only ever before a turn took it) is not
 *   shown at all, in any window.
 */
export function buildChat(source: ChatSource): ChatModel {
  const runner = source.base?.state?.runner;
  const all: readonly LogEvent[] =
    runner?.kind === 'agent'
      ? [...runner.events.filter(isKnownLogEvent), ...source.events]
      : source.events;

  const inputs = new Map<string, InputEvent>();
  const taken = new Set<string>();
  /** Messages their device withdrew before a turn took them, by device and input id. */
  const withdrawn = new Set<string>();
  const results = new Map<string, LogEventData<'agent.tool.result'>>();
  const resolutions = new Map<string, LogEventData<'agent.permission.resolved'>>();
  const calls = new Set<string>();
  /** Permission requests by the tool call they are about, so the call's card carries them. */
  const askedFor = new Map<string, LogEventData<'agent.permission.requested'>>();
  for (const e of all) {
    if (e.type === 'input' && e.data.payload.kind === 'message') inputs.set(e.data.inputId, e);
    else if (e.type === 'agent.turn.started') for (const id of e.data.inputIds) taken.add(id);
    else if (e.type === 'input.delivered') taken.add(e.data.inputId);
    else if (e.type === 'input.withdrawn') withdrawn.add(inputKey(e.data.deviceId, e.data.inputId));
    else if (e.type === 'agent.tool.result') results.set(e.data.toolCallId, e.data);
    else if (e.type === 'agent.tool.call') calls.add(e.data.toolCallId);
    else if (e.type === 'agent.permission.resolved') resolutions.set(e.data.requestId, e.data);
    else if (e.type === 'agent.permission.requested' && e.data.toolCallId)
      askedFor.set(e.data.toolCallId, e.data);
  }
  const permissionOf = (
    ask: LogEventData<'agent.permission.requested'> | undefined,
  ): ToolPermission | undefined => {
    if (!ask) return undefined;
    const resolved = resolutions.get(ask.requestId);
    return {
      requestId: ask.requestId,
      description: ask.description,
      resolution: resolved?.resolution,
      resolvedBy: resolved?.deviceId,
    };
  };

  const items: ChatItem[] = [];
  const shown = new Set<string>();
  const tail: ChatItem[] = [];
  let turnRunning = false;
  const userItem = (e: InputEvent, queued: boolean): ChatItem => ({
    type: 'user',
    key: `in:${e.data.inputId}`,
    inputId: e.data.inputId,
    // A sealed input the app cannot open yet shows no text (the SDK opens them).
    text: 'text' in e.data.payload ? e.data.payload.text : '',
    attachments: ('attachments' in e.data.payload && e.data.payload.attachments) || NONE,
    state: 'sent',
    queued,
    deviceId: e.data.deviceId,
    mine: e.data.deviceId === source.deviceId,
    error: undefined,
  });
  const place = (inputId: string): void => {
    const e = inputs.get(inputId);
    if (!e || shown.has(inputId)) return;
    shown.add(inputId);
    items.push(userItem(e, false));
  };

  for (const e of all) {
    switch (e.type) {
      case 'input':
        if (withdrawn.has(inputKey(e.data.deviceId, e.data.inputId))) {
          // Gone for every device; marked shown so this window's outbox copy stays hidden too.
          shown.add(e.data.inputId);
        } else if (e.data.payload.kind === 'message' && !taken.has(e.data.inputId)) {
          shown.add(e.data.inputId);
          tail.push(userItem(e, true));
        }
        break;
      case 'agent.turn.started':
        turnRunning = true;
        for (const id of e.data.inputIds) place(id);
        break;
      case 'input.delivered':
        place(e.data.inputId);
        break;
      case 'agent.text':
      case 'agent.thinking':
        items.push({
          type: e.type === 'agent.text' ? 'assistant' : 'thinking',
          key: `msg:${e.data.messageId}:${e.seq}`,
          text: e.data.text,
          streaming: false,
          command: e.type === 'agent.text' ? e.data.command : undefined,
        });
        break;
      case 'agent.settings.changed': {
        const what: string[] = [];
        if (e.data.model !== undefined) what.push(`the model to ${e.data.model}`);
        if (e.data.permissionMode !== undefined)
          what.push(`the permission mode to ${e.data.permissionMode}`);
        items.push({
          type: 'change',
          key: `settings:${e.seq}`,
          deviceId: e.data.deviceId,
          text: `set ${what.join(' and ')} (from the next turn)`,
          cleared: false,
        });
        break;
      }
      case 'agent.cleared':
        items.push({
          type: 'change',
          key: `cleared:${e.seq}`,
          deviceId: e.data.deviceId,
          text: 'cleared the context: a new conversation starts here, and the agent remembers nothing above',
          cleared: true,
        });
        break;
      case 'agent.tool.call':
        items.push({
          type: 'tool',
          key: `tool:${e.data.toolCallId}`,
          name: e.data.name,
          input: e.data.input,
          result: results.get(e.data.toolCallId),
          permission: permissionOf(askedFor.get(e.data.toolCallId)),
        });
        break;
      case 'agent.tool.result':
        if (!calls.has(e.data.toolCallId)) {
          items.push({
            type: 'tool',
            key: `tool:${e.data.toolCallId}`,
            name: 'tool',
            input: undefined,
            result: e.data,
            permission: undefined,
          });
        }
        break;
      case 'agent.permission.requested':
        // Shown on its call's card when the log holds the call; else a card of its own.
        if (e.data.toolCallId && calls.has(e.data.toolCallId)) break;
        items.push({
          type: 'tool',
          key: `perm:${e.data.requestId}`,
          name: e.data.toolName,
          input: e.data.input,
          result: e.data.toolCallId ? results.get(e.data.toolCallId) : undefined,
          permission: permissionOf(e.data),
        });
        break;
      case 'agent.turn.ended':
        turnRunning = false;
        items.push({
          type: 'turn-end',
          key: `turn:${e.data.turnId}:${e.seq}`,
          outcome: e.data.outcome,
          error: e.data.error,
          stoppedBy: e.data.stoppedBy,
          costUsd: e.data.costUsd,
          costEstimated: e.data.costEstimated === true,
          tokens: e.data.tokens,
          durationMs: e.data.durationMs,
        });
        break;
      case 'agent.error':
        items.push({ type: 'notice', key: `err:${e.seq}`, tone: 'error', text: e.data.message });
        break;
      case 'session.status':
        if (e.data.status === 'failed' || e.data.status === 'exited') {
          turnRunning = false;
          items.push({
            type: 'notice',
            key: `status:${e.seq}`,
            tone: e.data.status === 'failed' ? 'error' : 'info',
            text: `Session ${e.data.status}${e.data.reason ? `: ${e.data.reason}` : ''}`,
          });
        }
        break;
      default:
        break;
    }
  }

  for (const s of source.streams) {
    items.push({
      type: s.channel === 'text' ? 'assistant' : 'thinking',
      key: `stream:${s.messageId}`,
      text: s.text,
      streaming: true,
    });
  }
  items.push(...tail);
  for (const entry of source.pending) {
    if (entry.payload.kind !== 'message' || shown.has(entry.inputId)) continue;
    shown.add(entry.inputId);
    items.push({
      type: 'user',
      key: `in:${entry.inputId}`,
      inputId: entry.inputId,
      text: entry.payload.text,
      attachments: entry.payload.attachments ?? NONE,
      state:
        entry.status === 'failed' ? 'failed' : entry.status === 'confirmed' ? 'sent' : 'pending',
      queued: false,
      deviceId: source.deviceId,
      mine: true,
      error: entry.error?.message,
    });
  }
  return { items, turnRunning, queued: tail.length };
}

/** Input ids are unique per device, not per session. */
function inputKey(deviceId: string, inputId: string): string {
  return `${deviceId}\n${inputId}`;
}
