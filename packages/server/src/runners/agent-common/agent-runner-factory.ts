import type { AgentConfig, SessionKind, TerminalConfig } from '@baton/protocol';
import type { RunnerContext, RunnerFactory } from '../runner.js';
import type { DriverFactory } from './agent-driver.js';
import type { AgentRunnerOptions } from './agent-runner-options.js';
import { ConversationRunner } from './conversation-runner.js';

/** What distinguishes one agent CLI from another; everything else is the ConversationRunner. */
export interface AgentSpec {
  kind: SessionKind;
  /** The agent's name in messages shown to people. */
  displayName: string;
  /** The binary looked up on PATH unless the options or the session config name another. */
  defaultBinary: string;
  /** Throws RunnerError('agent_unavailable', …) saying what to install or set; returns the binary. */
  preflight(config: AgentConfig, defaultBinary: string): string;
  createDriver: DriverFactory;
}

/** A runner factory for one agent CLI: preflight at session creation, one process per conversation. */
export function createAgentRunnerFactory(
  spec: AgentSpec,
  options: AgentRunnerOptions = {},
): RunnerFactory {
  const defaultBinary = options.binary ?? spec.defaultBinary;
  return {
    kind: spec.kind,
    preflight: (config: TerminalConfig & AgentConfig) =>
      Promise.resolve().then(() => {
        spec.preflight(config, defaultBinary);
      }),
    create: (ctx) =>
      new ConversationRunner(
        withDefaultModel(ctx, options.model),
        {
          kind: spec.kind,
          displayName: spec.displayName,
          preflight: () => spec.preflight(ctx.config, defaultBinary),
        },
        spec.createDriver,
        options,
      ),
  };
}

/**
 * The context with the configured default model filled in for a session that names none. The
 * stored config is left as it is, so a later change of the default applies at the next start.
 * The context is the prototype: its getters and methods keep working on the copy.
 */
function withDefaultModel(ctx: RunnerContext, model: string | undefined): RunnerContext {
  if (model === undefined || ctx.config.model !== undefined) return ctx;
  return Object.create(ctx, {
    config: { value: { ...ctx.config, model }, enumerable: true },
  }) as RunnerContext;
}
