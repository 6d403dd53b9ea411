/**
 * A small structured logger. Every line carries its context (session, connection) so that
 * interleaved output from many sessions stays readable. Quiet in tests unless BATON_LOG is set.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(context: Record<string, unknown>): Logger;
}

export function createLogger(
  level: LogLevel = 'info',
  context: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const at = (l: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return;
    const ctx = { ...context, ...fields };
    const extra = Object.keys(ctx).length > 0 ? ' ' + JSON.stringify(ctx) : '';
    write(`${new Date().toISOString()} ${l.toUpperCase()} ${msg}${extra}`);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => createLogger(level, { ...context, ...more }, write),
  };
}
