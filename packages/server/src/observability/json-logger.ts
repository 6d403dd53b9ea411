import { pino, type Logger as PinoLogger } from 'pino';
import type { Logger, LogLevel } from '../logger.js';
import { writeStderrLine } from './stderr-line.js';

/**
 * The `json` log format: one JSON object per line, from pino, for log shippers (journald's
 * JSON export, Loki, Elasticsearch). Fields: `time` (ISO 8601), `level` (a name, not pino's
 * number, so the lines read the same as the text format's), `msg`, then the context and fields.
 *
 * Lines go to stderr through the same writer as the text format's (stderr-line.ts): synchronous,
 * so the last line before a crash is the one that says why, and silent once stderr has closed.
 */
export function createJsonLogger(
  level: LogLevel,
  context: Record<string, unknown>,
  write?: (line: string) => void,
): Logger {
  const line = write ?? writeStderrLine;
  const destination = {
    write: (chunk: string) => line(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk),
  };
  const root = pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return wrap(Object.keys(context).length > 0 ? root.child(context) : root);
}

function wrap(p: PinoLogger): Logger {
  const at =
    (l: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
      if (fields) p[l](fields, msg);
      else p[l](msg);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => wrap(p.child(more)),
  };
}
