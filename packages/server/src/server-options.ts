import type { LogLevel } from './logger.js';
import type { RunnerFactory } from './runners/runner.js';

export interface ServerOptions {
  /** Interface to bind. Defaults to 127.0.0.1: baton is reachable from elsewhere only on request. */
  host?: string;
  /** Port; 0 picks a free one. Defaults to 7777. */
  port?: number;
  /** Directory for the SQLite database, the owner token file and per-session directories. */
  dataDir: string;
  /** Fixed owner credential (BATON_TOKEN). Otherwise one is created on first start and kept. */
  ownerToken?: string;
  logLevel?: LogLevel;
  /** Events kept per session before older ones are compacted into a snapshot. */
  retentionEvents?: number;
  /** Heartbeat interval; a connection silent for three intervals is closed. Default 15 s. */
  heartbeatMs?: number;
  /** Largest accepted WebSocket frame or HTTP body, in bytes. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Runner factories by kind; replaces the defaults of the same kind. */
  runners?: RunnerFactory[];
  /** Directory with the built web app to serve at `/`, if any. */
  webRoot?: string;
  /** Extra origins allowed to open a WebSocket (same-origin and loopback are always allowed). */
  allowedOrigins?: string[];
  /**
   * `normal` (default): a commit survives a crash or `kill -9` of the server, not a power loss.
   * `full`: one fsync per group commit, so a commit also survives a power loss or an OS crash.
   */
  durability?: 'normal' | 'full';
}
