import { createAgentRunnerFactory, type AgentRunnerOptions } from '../agent-common/index.js';
import type { RunnerFactory } from '../runner.js';
import { CodexDriver } from './codex-driver.js';
import { codexPreflight } from './codex-preflight.js';
import { codexThreads } from './codex-threads.js';

export { CodexDriver } from './codex-driver.js';
export { codexPreflight, CODEX_APPROVAL_POLICIES } from './codex-preflight.js';
export { CODEX_PRICES } from './codex-prices.js';
export { JsonRpcPeer, JsonRpcError } from './json-rpc-peer.js';

/**
 * Runs `codex` sessions: one `codex app-server` process per conversation, driven through its
 * JSON-RPC protocol (see docs/agents.md).
 */
export function createCodexRunnerFactory(options: AgentRunnerOptions = {}): RunnerFactory {
  return createAgentRunnerFactory(
    {
      kind: 'codex',
      displayName: 'Codex',
      defaultBinary: 'codex',
      preflight: codexPreflight,
      createDriver: (init) => new CodexDriver(init),
      conversations: codexThreads,
    },
    options,
  );
}

/** The `codex` runner with default options (`codex` on PATH, 10 min idle stop). */
export const codexRunnerFactory: RunnerFactory = createCodexRunnerFactory();
