import type { LogEvent } from '@baton/protocol';
import type { RunnerContext } from '../runner.js';

/** The settings a device may change mid-conversation (`agent.settings`). */
export interface AgentSettings {
  model?: string;
  permissionMode?: string;
}

/** `settings` with the fields of `change` that are present put over them. */
export function mergeSettings<
  T extends { model?: string | undefined; permissionMode?: string | undefined },
>(settings: T, change: AgentSettings): T {
  const merged = { ...settings };
  if (change.model !== undefined) merged.model = change.model;
  if (change.permissionMode !== undefined) merged.permissionMode = change.permissionMode;
  return merged;
}

/** The settings changed by an `agent.settings.changed` event. */
export function settingsOf(event: LogEvent & { type: 'agent.settings.changed' }): AgentSettings {
  const settings: AgentSettings = {};
  if (event.data.model !== undefined) settings.model = event.data.model;
  if (event.data.permissionMode !== undefined) settings.permissionMode = event.data.permissionMode;
  return settings;
}

/**
 * The context an agent process starts with: the session's config with the settings devices
 * changed since (stored as `agent.settings.changed`) over it, so a process started after an idle
 * stop or a restart runs with the model and mode last chosen. The stored config is unchanged.
 * The context is the prototype: its getters and methods keep working on the copy.
 */
export function contextWithSettings(ctx: RunnerContext, settings: AgentSettings): RunnerContext {
  if (settings.model === undefined && settings.permissionMode === undefined) return ctx;
  return Object.create(ctx, {
    config: { value: mergeSettings(ctx.config, settings), enumerable: true },
  }) as RunnerContext;
}
