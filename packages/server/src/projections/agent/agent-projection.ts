import {
  isKnownLogEvent,
  type LogEvent,
  type LogEventType,
  type RunnerSnapshot,
} from '@baton/protocol';
import type { Projection, ProjectionFactory, SnapshotJson } from '../projection.js';

/**
 * The event types that make up a conversation as a late joiner must see it: what was said
 * (inputs, whether a turn took them or their device withdrew them), what the agent answered, its
 * tool calls and results, permission prompts and their answers, turn boundaries and errors, and
 * the agent's own conversation id (the runner resumes from it even after retention compacted the
 * log), its model and permission mode changes, `/clear`s and the slash commands it offers.
 * Status changes, renames and streaming fragments are not kept.
 */
export const AGENT_SNAPSHOT_TYPES: ReadonlySet<LogEventType> = new Set<LogEventType>([
  'input',
  'input.delivered',
  'input.withdrawn',
  'agent.turn.started',
  'agent.text',
  'agent.thinking',
  'agent.tool.call',
  'agent.tool.result',
  'agent.permission.requested',
  'agent.permission.resolved',
  'agent.turn.ended',
  'agent.error',
  'agent.bound',
  'agent.settings.changed',
  'agent.cleared',
  'agent.commands',
]);

/** Kept events per chunk of encoded JSON. */
const CHUNK_EVENTS = 1000;

const OPEN = Buffer.from('{"kind":"agent","events":[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/**
 * State of a Claude Code or Codex session: its message-level events, in log order. A snapshot
 * is `{ kind: 'agent', events }`.
 *
 * The conversation only grows, and a long one is tens of megabytes of JSON: encoding it whole
 * for each late joiner or checkpoint blocked the event loop for a tenth of a second and more. So
 * each kept event is encoded once, when it is applied, and kept only as UTF-8 JSON, a thousand
 * events to a chunk; a snapshot is the chunks in order (`snapshotJson`), which its reader copies
 * once into the frame it sends or the row it stores. Chunks live outside the JavaScript heap,
 * so a long conversation adds nothing for the garbage collector to trace.
 */
export class AgentProjection implements Projection {
  /** Full chunks: CHUNK_EVENTS events' JSON each, comma-separated, in UTF-8. */
  private chunks: Buffer[] = [];
  /** The events' JSON after the last full chunk. */
  private tail: string[] = [];
  private seq = 0;

  apply(event: LogEvent): void {
    this.seq = event.seq;
    if (AGENT_SNAPSHOT_TYPES.has(event.type)) this.keep(JSON.stringify(event));
  }

  snapshotJson(): Promise<SnapshotJson> {
    const parts: Buffer[] = [OPEN];
    for (const chunk of this.chunks) {
      if (parts.length > 1) parts.push(COMMA);
      parts.push(chunk);
    }
    if (this.tail.length > 0) {
      if (parts.length > 1) parts.push(COMMA);
      parts.push(Buffer.from(this.tail.join(',')));
    }
    parts.push(CLOSE);
    return Promise.resolve({ seq: this.seq, parts });
  }

  /** Decodes the JSON: for the runner's recovery at its start, not for joiners. */
  async snapshot(): Promise<{ seq: number; state: RunnerSnapshot }> {
    const { seq, parts } = await this.snapshotJson();
    return { seq, state: JSON.parse(Buffer.concat(parts).toString('utf8')) as RunnerSnapshot };
  }

  restore(seq: number, state: RunnerSnapshot): void {
    this.dispose();
    this.seq = seq;
    if (state.kind !== 'agent') return;
    for (const e of state.events)
      if (e.seq <= seq && isKnownLogEvent(e)) this.keep(JSON.stringify(e));
  }

  /** Also the seq: a checkpoint that runs after this stores nothing (seq 0), never an empty conversation. */
  dispose(): void {
    this.chunks = [];
    this.tail = [];
    this.seq = 0;
  }

  private keep(json: string): void {
    this.tail.push(json);
    if (this.tail.length < CHUNK_EVENTS) return;
    this.chunks.push(Buffer.from(this.tail.join(',')));
    this.tail = [];
  }
}

/** Projections for `claude` and `codex` sessions. */
export const agentProjectionFactory: ProjectionFactory = {
  kinds: ['claude', 'codex'],
  create: () => new AgentProjection(),
};
