export { startServer, type RunningServer } from './server.js';
export type { ServerOptions } from './server-options.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export type { Runner, RunnerContext, RunnerFactory, InputEvent } from './runners/runner.js';
export { RunnerError } from './runners/runner.js';
export type { Projection, ProjectionFactory } from './projections/projection.js';
export type { Store } from './storage/store.js';
export { SqliteStore } from './storage/sqlite-store.js';
