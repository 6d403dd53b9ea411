import { isKnownLogEvent, type AgentCommand, type ReceivedLogEvent } from '@baton/protocol';

/** What an agent session runs with now, and what it offers, as its log says. */
export interface AgentState {
  /** The model, or undefined for the agent's default. */
  readonly model: string | undefined;
  /** The permission mode (Claude) or approval policy (Codex), or undefined for the default. */
  readonly permissionMode: string | undefined;
  /** The slash commands the agent offers; undefined until it reported them. */
  readonly commands: readonly AgentCommand[] | undefined;
}

/**
 * An agent session's current model, permission mode and slash commands: the session config's
 * model and mode, overridden by each `agent.settings.changed` in log order, and the last
 * `agent.commands` list. `events` are the conversation in log order (a snapshot's events, then
 * the ones after it); events of types this client does not know are skipped.
 *
 * @example
 * const { model, commands } = agentStateOf(info.config, [...snapshotEvents, ...events]);
 */
export function agentStateOf(
  config: Readonly<Record<string, unknown>> | undefined,
  events: Iterable<ReceivedLogEvent>,
): AgentState {
  let model = typeof config?.model === 'string' ? config.model : undefined;
  let permissionMode =
    typeof config?.permissionMode === 'string' ? config.permissionMode : undefined;
  let commands: readonly AgentCommand[] | undefined;
  for (const e of events) {
    if (!isKnownLogEvent(e)) continue;
    if (e.type === 'agent.settings.changed') {
      model = e.data.model ?? model;
      permissionMode = e.data.permissionMode ?? permissionMode;
    } else if (e.type === 'agent.commands') {
      commands = e.data.commands;
    }
  }
  return { model, permissionMode, commands };
}
