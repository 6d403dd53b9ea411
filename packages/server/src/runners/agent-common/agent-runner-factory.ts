import { resolve } from 'node:path';
import type { AgentConfig, SessionKind, TerminalConfig } from '@baton/protocol';
import { RunnerError, type RunnerContext, type RunnerFactory } from '../runner.js';
import type { DriverFactory } from './agent-driver.js';
import type { AgentRunnerOptions } from './agent-runner-options.js';
import type { ChildTracker } from '../child-processes/child-registry.js';
import type { ConversationHost, ConversationSource } from './conversation-source.js';
import { ConversationRunner, type AgentIdentity } from './conversation-runner.js';

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
  /** The agent's own conversations on the host, for adopting one; absent when it cannot be. */
  conversations?: ConversationSource;
}

/** A runner factory for one agent CLI: preflight at session creation, one process per conversation. */
export function createAgentRunnerFactory(
  spec: AgentSpec,
  options: AgentRunnerOptions = {},
): RunnerFactory {
  const defaultBinary = options.binary ?? spec.defaultBinary;
  const source = spec.conversations;
  const host = (config: AgentConfig, children: ChildTracker): ConversationHost => ({
    config,
    binary: () => spec.preflight(config, defaultBinary),
    children,
  });
  return {
    kind: spec.kind,
    preflight: async (config: TerminalConfig & AgentConfig, children: ChildTracker) => {
      spec.preflight(config, defaultBinary);
      if (config.resume === undefined) return undefined;
      return adoptedConfig(spec, config, host(config, children), config.resume);
    },
    ...(source
      ? {
          listConversations: (limit: number, children: ChildTracker) =>
            source.list(host({}, children), limit),
        }
      : {}),
    create: (ctx) => {
      const identity: AgentIdentity = {
        kind: spec.kind,
        displayName: spec.displayName,
        preflight: (config = ctx.config) => spec.preflight(config, defaultBinary),
      };
      if (source)
        identity.importHistory = (id) => source.history(host(ctx.config, ctx.children), id);
      return new ConversationRunner(
        withDefaultModel(ctx, options.model),
        identity,
        spec.createDriver,
        options,
      );
    },
  };
}

/**
 * The config of a session that adopts conversation `id`: refused when the host has no such
 * conversation, and run in the conversation's own working directory (the agents find a
 * conversation to resume by it), filled in when the config names none.
 */
async function adoptedConfig(
  spec: AgentSpec,
  config: TerminalConfig & AgentConfig,
  host: ConversationHost,
  id: string,
): Promise<TerminalConfig & AgentConfig> {
  if (!spec.conversations) {
    throw new RunnerError(
      'bad_request',
      `baton cannot adopt ${spec.displayName} conversations yet; leave out resume`,
    );
  }
  const { cwd } = await spec.conversations.locate(host, id);
  if (cwd === undefined) return config;
  if (config.cwd === undefined) return { ...config, cwd };
  if (resolve(config.cwd) !== resolve(cwd)) {
    throw new RunnerError(
      'bad_request',
      `the ${spec.displayName} conversation ${id} ran in ${cwd}, not in ${config.cwd}: leave cwd out or set it to ${cwd}: an adopted conversation goes on where it ran`,
    );
  }
  return config;
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
