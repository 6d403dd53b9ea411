import { CliError, ExitCode } from '../cli-error.js';
import { wholeNumber } from '../whole-number.js';

/**
 * Parsers for settings given as text (a command-line flag or an environment variable). `where`
 * is the flag (`--port`) or the variable (`BATON_PORT`); a bad value names it and what to do.
 */
export type TextParser<T> = (text: string, where: string) => T;

function bad(where: string, expected: string, text: string): CliError {
  const fix = where.startsWith('--') ? 'see baton serve --help' : `fix or unset ${where}`;
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return new CliError(`${where} must be ${expected}, not '${shown}'; ${fix}`, ExitCode.Usage);
}

export const text: TextParser<string> = (t, where) => {
  if (t.trim() === '') throw bad(where, 'a non-empty value', t);
  return t;
};

export function integer(min: number, max: number): TextParser<number> {
  return (t, where) => {
    const n = wholeNumber(t);
    if (n === undefined || n < min || n > max)
      throw bad(where, `a whole number from ${min} to ${max}`, t);
    return n;
  };
}

export function oneOf<T extends string>(values: readonly T[]): TextParser<T> {
  return (t, where) => {
    if (!(values as readonly string[]).includes(t))
      throw bad(
        where,
        `${values.slice(0, -1).join(', ')} or ${values[values.length - 1] ?? ''}`,
        t,
      );
    return t as T;
  };
}

export const commaList: TextParser<string[]> = (t) =>
  t
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

export const boolean: TextParser<boolean> = (t, where) => {
  if (/^(true|1|yes)$/i.test(t)) return true;
  if (/^(false|0|no)$/i.test(t)) return false;
  throw bad(where, 'true or false', t);
};

/**
 * `publicUrl`: the origin other devices reach this server at (behind a reverse proxy), used in
 * pairing links. Only an http(s) origin: the web app lives at the root of it.
 */
export const publicOrigin: TextParser<string> = (t, where) => {
  let url: URL | undefined;
  try {
    url = new URL(t);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  )
    throw bad(where, 'an http(s) origin such as https://baton.example.net', t);
  return url.origin;
};

/**
 * One entry of `allowedOrigins`: `*`, an http(s) origin, or a browser extension's origin. The
 * server compares the browser's `Origin` header with these strings exactly, so an entry is
 * checked and normalized here: `https://Baton.example.net/` would otherwise never match the
 * `https://baton.example.net` a browser sends, and `baton.example.net` (no scheme) would be
 * kept and silently admit nothing.
 */
export const allowedOrigin: TextParser<string> = (t, where) => {
  const entry = t.trim();
  if (entry === '*') return entry;
  const extension = /^(chrome-extension):\/\/([a-p]{32})\/?$/i.exec(entry);
  if (extension) return `${extension[1]!.toLowerCase()}://${extension[2]!.toLowerCase()}`;
  try {
    return publicOrigin(entry, where);
  } catch {
    throw bad(
      where,
      'origins such as https://baton.example.net or chrome-extension://<32-letter id> (or *), comma-separated',
      entry,
    );
  }
};

/** `allowedOrigins` as text: comma-separated entries, each checked by `allowedOrigin`. */
export const allowedOriginList: TextParser<string[]> = (t, where) =>
  commaList(t, where).map((entry) => allowedOrigin(entry, where));

/**
 * `store`: a PostgreSQL URL (`postgres://user@host:5432/database?schema=baton`). Only its form
 * is checked here; the server says what else is wrong when it connects.
 */
export const postgresUrl: TextParser<string> = (t, where) => {
  if (!/^postgres(ql)?:\/\/\S+$/i.test(t))
    throw bad(
      where,
      'a postgres://user@host:5432/database URL (leave it out for the embedded SQLite store)',
      withoutPassword(t),
    );
  return t;
};

/** A URL as it may be printed: its password, if any, replaced by `***`. */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
