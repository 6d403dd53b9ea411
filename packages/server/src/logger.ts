import { createJsonLogger } from './observability/json-logger.js';
import { writeStderrLine } from './observability/stderr-line.js';

/**
 * A small structured logger. Every line carries its context (session, connection) so that
 * interleaved output from many sessions stays readable. Quiet in tests unless BATON_LOG is set.
 *
 * Two formats behind one interface: `text` (default; `TIME LEVEL message {"fields"}`) for people,
 * and `json` (one object per line, from pino; see observability/json-logger.ts) for machines.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'text' | 'json';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(context: Record<string, unknown>): Logger;
}

/**
 * A logger at `level`. `write` receives each line without its newline (default: stderr);
 * `format` picks text or JSON lines.
 */
export function createLogger(
  level: LogLevel = 'info',
  context: Record<string, unknown> = {},
  write?: (line: string) => void,
  format: LogFormat = 'text',
): Logger {
  if (format === 'json') return createJsonLogger(level, context, write);
  const out = write ?? writeStderrLine;
  const at = (l: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return;
    const ctx = { ...context, ...fields };
    const extra = Object.keys(ctx).length > 0 ? ' ' + JSON.stringify(ctx) : '';
    out(`${new Date().toISOString()} ${l.toUpperCase()} ${msg}${extra}`);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => createLogger(level, { ...context, ...more }, out, 'text'),
  };
}
