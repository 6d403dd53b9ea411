import type { RunnerFactory } from '../runner.js';
import { TerminalRunner } from './terminal-runner.js';

export { TerminalRunner, type TerminalRunnerOptions } from './terminal-runner.js';
export { OutputBatcher, type OutputBatcherOptions } from './output-batcher.js';
export { resolveLaunchSpec, type LaunchSpec } from './launch-spec.js';

/**
 * Runs `terminal` sessions: a shell in a server-owned PTY whose output is batched into the
 * session's log. See docs/terminals.md.
 */
export const terminalRunnerFactory: RunnerFactory = {
  kind: 'terminal',
  create: (ctx) => new TerminalRunner(ctx),
};
