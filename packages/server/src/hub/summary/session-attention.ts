import type { AttentionKind, LogEvent, SessionAttention } from '@baton/protocol';

/**
 * What a permission request asks of a person. Claude Code routes its AskUserQuestion and
 * ExitPlanMode tools through the same permission prompt as any other tool; their names say
 * whether the agent asks a question or wants its plan approved.
 */
export function attentionKindOf(toolName: string): AttentionKind {
  if (toolName === 'AskUserQuestion') return 'question';
  if (toolName === 'ExitPlanMode') return 'plan';
  return 'permission';
}

/**
 * Whether a session waits for a person (`SessionInfo.attention`), derived from its committed
 * log: each `agent.permission.requested` is outstanding until its `agent.permission.resolved`,
 * or until the turn or the runner ends (an ended turn can no longer use the answer). The
 * session's attention is its oldest outstanding request's.
 */
export class SessionAttentionTracker {
  /** Outstanding requests by id, in the order they were asked (Map keeps insertion order). */
  private readonly outstanding = new Map<string, SessionAttention>();

  apply(event: LogEvent): void {
    switch (event.type) {
      case 'agent.permission.requested':
        this.outstanding.set(event.data.requestId, {
          kind: attentionKindOf(event.data.toolName),
          since: event.ts,
        });
        break;
      case 'agent.permission.resolved':
        this.outstanding.delete(event.data.requestId);
        break;
      case 'agent.turn.ended':
        this.outstanding.clear();
        break;
      case 'session.status':
        if (event.data.status !== 'running' && event.data.status !== 'starting')
          this.outstanding.clear();
        break;
      default:
        break;
    }
  }

  get current(): SessionAttention | undefined {
    return this.outstanding.values().next().value;
  }
}
