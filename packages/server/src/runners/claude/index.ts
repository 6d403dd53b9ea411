import { createAgentRunnerFactory, type AgentRunnerOptions } from '../agent-common/index.js';
import type { RunnerFactory } from '../runner.js';
import { claudeConversations } from './claude-conversations.js';
import { ClaudeDriver } from './claude-driver.js';
import { claudePreflight } from './claude-preflight.js';

export { ClaudeDriver } from './claude-driver.js';
export { claudeArgs, CLAUDE_PERMISSION_MODES } from './claude-args.js';
export { claudePreflight } from './claude-preflight.js';

/**
 * Runs `claude` sessions: one Claude Code process per conversation, driven through its
 * stream-json protocol (see docs/agents.md).
 */
export function createClaudeRunnerFactory(options: AgentRunnerOptions = {}): RunnerFactory {
  return createAgentRunnerFactory(
    {
      kind: 'claude',
      displayName: 'Claude Code',
      defaultBinary: 'claude',
      preflight: claudePreflight,
      createDriver: (init) => new ClaudeDriver(init),
      conversations: claudeConversations,
    },
    options,
  );
}

/** The `claude` runner with default options (`claude` on PATH, 10 min idle stop). */
export const claudeRunnerFactory: RunnerFactory = createClaudeRunnerFactory();
