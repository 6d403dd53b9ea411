import {
  isKnownLogEvent,
  type LogEvent,
  type LogEventType,
  type RunnerSnapshot,
} from '@baton/protocol';
import type { Projection, ProjectionFactory } from '../projection.js';

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

/**
 * State of a Claude Code or Codex session: its message-level events, in log order. A snapshot
 * is `{ kind: 'agent', events }`; an outstanding permission request is one whose
 * `agent.permission.requested` has no later `agent.permission.resolved`.
 */
export class AgentProjection implements Projection {
  private events: LogEvent[] = [];
  private seq = 0;

  apply(event: LogEvent): void {
    this.seq = event.seq;
    if (AGENT_SNAPSHOT_TYPES.has(event.type)) this.events.push(event);
  }

  snapshot(): Promise<{ seq: number; state: RunnerSnapshot }> {
    return Promise.resolve({ seq: this.seq, state: { kind: 'agent', events: [...this.events] } });
  }

  restore(seq: number, state: RunnerSnapshot): void {
    this.seq = seq;
    this.events =
      state.kind === 'agent'
        ? state.events.filter((e) => e.seq <= seq).filter(isKnownLogEvent)
        : [];
  }

  /** Permission requests still waiting for an answer, oldest first. */
  outstandingPermissions(): Array<LogEvent & { type: 'agent.permission.requested' }> {
    const resolved = new Set<string>();
    for (const e of this.events) {
      if (e.type === 'agent.permission.resolved') resolved.add(e.data.requestId);
    }
    return this.events.filter(
      (e): e is LogEvent & { type: 'agent.permission.requested' } =>
        e.type === 'agent.permission.requested' && !resolved.has(e.data.requestId),
    );
  }

  dispose(): void {
    this.events = [];
  }
}

/** Projections for `claude` and `codex` sessions. */
export const agentProjectionFactory: ProjectionFactory = {
  kinds: ['claude', 'codex'],
  create: () => new AgentProjection(),
};
