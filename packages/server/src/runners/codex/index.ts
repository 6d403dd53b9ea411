import type { AgentConfig, TerminalConfig } from '@baton/protocol';
import { ConversationRunner, type AgentRunnerOptions } from '../agent-common/index.js';
import type { RunnerFactory } from '../runner.js';
import { CodexDriver } from './codex-driver.js';
import { codexPreflight } from './codex-preflight.js';

export { CodexDriver } from './codex-driver.js';
export { codexPreflight, CODEX_APPROVAL_POLICIES } from './codex-preflight.js';
export { JsonRpcPeer, JsonRpcError } from './json-rpc-peer.js';

/**
 * Runs `codex` sessions: one `codex app-server` process per conversation, driven through its
 * JSON-RPC protocol (see docs/agents.md).
 */
export function createCodexRunnerFactory(options: AgentRunnerOptions = {}): RunnerFactory {
  const defaultBinary = options.binary ?? 'codex';
  return {
    kind: 'codex',
    preflight: (config: TerminalConfig & AgentConfig) =>
      Promise.resolve().then(() => {
        codexPreflight(config, defaultBinary);
      }),
    create: (ctx) =>
      new ConversationRunner(
        ctx,
        {
          kind: 'codex',
          displayName: 'Codex',
          preflight: () => codexPreflight(ctx.config, defaultBinary),
        },
        (init) => new CodexDriver(init),
        options,
      ),
  };
}

/** The `codex` runner with default options (`codex` on PATH, 10 min idle stop). */
export const codexRunnerFactory: RunnerFactory = createCodexRunnerFactory();
