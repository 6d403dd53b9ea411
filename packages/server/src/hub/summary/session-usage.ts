import { withTurnUsage, type LogEvent, type SessionUsage } from '@baton/protocol';

/**
 * An agent session's tokens and cost so far (`SessionInfo.usage`), summed over its
 * `agent.turn.ended` events. Built from the committed log like attention and preview; the agent
 * snapshot keeps every turn end, so the sums survive retention and restarts.
 */
export class SessionUsageTracker {
  private usage: SessionUsage | undefined;

  apply(event: LogEvent): void {
    if (event.type === 'agent.turn.ended') this.usage = withTurnUsage(this.usage, event.data);
  }

  get current(): SessionUsage | undefined {
    return this.usage;
  }
}
