export { startServer, type RunningServer } from './server.js';
export type { ServerOptions } from './server-options.js';
export {
  createLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  type LogLevel,
} from './logger.js';
export { ServerMetrics } from './observability/server-metrics.js';
export { MIGRATIONS } from './storage/migrations.js';
/** WebSocket text frames encoded into one buffer, as replay pages leave (the benchmark's floor uses it). */
export { encodeTextFrames } from './ws/text-frames.js';
export { installProcessGuard } from './process-guard.js';
export type { Runner, RunnerContext, RunnerFactory, InputEvent } from './runners/runner.js';
export { RunnerError } from './runners/runner.js';
export type { Projection, ProjectionFactory } from './projections/projection.js';
export type { Store } from './storage/store.js';
export { SqliteStore } from './storage/sqlite-store.js';
export { StoreOpenError } from './storage/store-open-error.js';
export { DataDirLock, DataDirLockedError, type DataDirOwner } from './storage/data-dir-lock.js';
export { claudeRunnerFactory, createClaudeRunnerFactory } from './runners/claude/index.js';
export { codexRunnerFactory, createCodexRunnerFactory } from './runners/codex/index.js';
export type { AgentRunnerOptions } from './runners/agent-common/agent-runner-options.js';
export type { ModelPrice, ModelPrices } from './runners/agent-common/model-price.js';
export { CODEX_PRICES } from './runners/codex/codex-prices.js';
export { terminalRunnerFactory } from './runners/terminal/index.js';
export type { TlsOptions } from './tls/tls-options.js';
export { TlsStartError } from './tls/tls-start-error.js';
export type { PushOptions, PushSent } from './push/push-options.js';
export {
  startHost,
  HostStartError,
  type HostOptions,
  type RunningHost,
} from './host/start-host.js';
export { pairDeviceWithHost, type HostPairing } from './host/pair-device.js';
