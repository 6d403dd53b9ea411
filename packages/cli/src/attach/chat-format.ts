import type { LogEvent, SessionUsage, TokenUsage } from '@baton/protocol';

/** ANSI styling for the chat view; every function is the identity when colour is off. */
export interface ChatStyle {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const ansi = (open: string, close: string) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

/** Colour for a TTY (unless NO_COLOR is set); plain text for pipes and files. */
export function chatStyle(color: boolean): ChatStyle {
  if (!color) {
    const plain = (s: string) => s;
    return { dim: plain, bold: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  }
  return {
    dim: ansi('2', '22'),
    bold: ansi('1', '22'),
    red: ansi('31', '39'),
    green: ansi('32', '39'),
    yellow: ansi('33', '39'),
    cyan: ansi('36', '39'),
  };
}

/** Cuts `s` to `max` characters, marking the cut. */
export function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** The first line of `s`, with a note of how many lines were left out. */
function firstLine(s: string, max: number): string {
  const lines = s.replace(/\s+$/, '').split('\n');
  const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
  return clip(lines[0] ?? '', max) + more;
}

/** The fields agents' tools are best recognised by, in order of preference. */
const SUMMARY_FIELDS = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'prompt'];

/**
 * A tool's input in one short line: the field that says what it does (a command, a file path)
 * when there is one, else the input as JSON.
 */
export function summarizeToolInput(input: unknown, max = 120): string {
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const record = input as Record<string, unknown>;
    for (const field of SUMMARY_FIELDS) {
      const value = record[field];
      if (typeof value === 'string' && value.length > 0) return firstLine(value, max);
    }
    if (Array.isArray(record['command'])) {
      return firstLine((record['command'] as unknown[]).map(String).join(' '), max);
    }
  }
  if (input === undefined) return '';
  return clip(JSON.stringify(input) ?? '', max);
}

/**
 * A tool's output as text: strings as they are, content-block arrays (`[{type:'text',text}]`)
 * joined, anything else as JSON.
 */
export function toolOutputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    const texts = output.map((block) =>
      block && typeof block === 'object' && typeof (block as { text?: unknown }).text === 'string'
        ? (block as { text: string }).text
        : JSON.stringify(block),
    );
    return texts.join('\n');
  }
  if (output && typeof output === 'object') {
    const o = output as Record<string, unknown>;
    for (const field of ['output', 'stdout', 'text', 'content']) {
      if (typeof o[field] === 'string') return o[field];
    }
  }
  return output === undefined ? '' : (JSON.stringify(output) ?? '');
}

/** Who a device id is, for the lines of the chat view. */
export type DeviceNamer = (deviceId: string) => string;

/** What the chat view shows for a user message besides its text. */
export interface MessageTags {
  /** The message came from this window (this process). */
  mine: boolean;
  /** A turn was running when it arrived: the agent gets it when that turn ends. */
  queued: boolean;
}

/** A user message: who sent it and what they typed, exactly. */
export function formatUserMessage(
  s: ChatStyle,
  who: string,
  text: string,
  tags: MessageTags,
): string {
  const label = tags.mine ? 'you' : who;
  const state = tags.queued ? ' ' + s.yellow('[queued: a turn is running]') : '';
  const [first = '', ...rest] = text.split('\n');
  const indent = ' '.repeat(label.length + 2);
  return [s.bold(s.cyan(label)) + ': ' + first + state, ...rest.map((l) => indent + l)].join('\n');
}

/** The label that starts a block of assistant text or thinking. */
export function streamLabel(s: ChatStyle, channel: 'text' | 'thinking', cont: boolean): string {
  const name = channel === 'text' ? s.bold(s.green('assistant')) : s.dim('thinking');
  return name + (cont ? s.dim(' (cont.)') : '') + (channel === 'text' ? ': ' : s.dim(': '));
}

/** A fragment of streamed text in the style of its channel. */
export function streamBody(s: ChatStyle, channel: 'text' | 'thinking', text: string): string {
  return channel === 'thinking' ? s.dim(text) : text;
}

/** Tokens in a few words: "1234 in / 56 out tokens" (cache reads and writes count as input). */
export function tokensText(t: TokenUsage): string {
  return `${t.input + (t.cacheRead ?? 0) + (t.cacheWrite ?? 0)} in / ${t.output} out tokens`;
}

/** A cost in dollars; "≈" marks baton's estimate from its price table (Codex). */
export function costText(usd: number, estimated: boolean | undefined): string {
  return `${estimated ? '≈' : ''}$${usd.toFixed(4)}`;
}

/** A session's sums, after a turn's own figures. */
export function sessionUsageText(u: SessionUsage): string {
  return u.costUsd !== undefined
    ? `session ${costText(u.costUsd, u.costEstimated)}`
    : `session ${tokensText(u.tokens)}`;
}

/** Milliseconds as a short duration. */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One readable line (or a few) for a log event that is not a user message or assistant text
 * (those are rendered with their streams); `undefined` for events the chat view does not show.
 */
export function formatAgentEvent(
  s: ChatStyle,
  e: LogEvent,
  name: DeviceNamer,
  toolNames: ReadonlyMap<string, string>,
): string | undefined {
  switch (e.type) {
    case 'agent.tool.call':
      return `${s.yellow('⚙ ' + e.data.name)} ${summarizeToolInput(e.data.input)}`;
    case 'agent.tool.result': {
      const tool = toolNames.get(e.data.toolCallId);
      const text = firstLine(toolOutputText(e.data.output), 160);
      const label = e.data.isError ? s.red('  ↳ error') : s.dim('  ↳ ' + (tool ?? 'result'));
      return `${label}${s.dim(':')} ${s.dim(text || '(no output)')}`;
    }
    case 'agent.permission.requested': {
      const what = summarizeToolInput(e.data.input, 200);
      const why = e.data.description ? s.dim(` — ${e.data.description}`) : '';
      return (
        `${s.bold(s.yellow('? permission'))} ${s.dim(`[${e.data.requestId}]`)}: ` +
        `${s.bold(e.data.toolName)} ${what}${why}`
      );
    }
    case 'agent.permission.resolved': {
      const r = e.data.resolution;
      const who = name(e.data.deviceId);
      const id = s.dim(`[${e.data.requestId}]`);
      if (r.decision === 'allow') {
        const edited = r.updatedInput ? ' with edited input' : '';
        return `${s.green('✓ allowed')}${edited} by ${who} ${id}`;
      }
      return `${s.red('✗ denied')} by ${who}${r.message ? `: ${r.message}` : ''} ${id}`;
    }
    case 'agent.turn.ended': {
      const parts: string[] = [e.data.outcome];
      if (e.data.costUsd !== undefined) parts.push(costText(e.data.costUsd, e.data.costEstimated));
      if (e.data.tokens) parts.push(tokensText(e.data.tokens));
      if (e.data.durationMs !== undefined) parts.push(duration(e.data.durationMs));
      const line = s.dim('── turn ' + parts.join(' · '));
      if (e.data.outcome === 'failed') return line + ' ' + s.red(e.data.error ?? 'failed');
      if (e.data.outcome === 'interrupted')
        return (
          s.yellow('── turn interrupted') +
          s.dim(parts.length > 1 ? ' · ' + parts.slice(1).join(' · ') : '')
        );
      return line;
    }
    case 'agent.error':
      return s.red(`! ${e.data.message}`);
    case 'agent.settings.changed': {
      const what: string[] = [];
      if (e.data.model !== undefined) what.push(`model ${s.bold(e.data.model)}`);
      if (e.data.permissionMode !== undefined)
        what.push(`permission mode ${s.bold(e.data.permissionMode)}`);
      return s.dim(
        `── ${name(e.data.deviceId)} set the ${what.join(' and ')} (from the next turn)`,
      );
    }
    case 'agent.cleared':
      return s.yellow(
        `── new conversation: ${name(e.data.deviceId)} cleared the context; the agent remembers nothing before this`,
      );
    case 'session.status':
      if (e.data.status === 'failed')
        return s.red(`! the session failed${e.data.reason ? `: ${e.data.reason}` : ''}`);
      if (e.data.status === 'exited') return s.dim('── the agent process was stopped');
      return undefined;
    case 'session.renamed':
      return s.dim(`── renamed to '${e.data.name}'`);
    default:
      return undefined;
  }
}
