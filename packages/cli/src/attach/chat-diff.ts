import type { ChatStyle } from './chat-format.js';

/** At most this many lines of a change are shown; the rest are counted. */
const MAX_LINES = 12;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const lines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/**
 * The change an edit makes, under its tool call line: removed lines in red with `-`, added ones
 * in green with `+`, cut after a dozen lines. Knows Claude Code's Edit, MultiEdit and Write and
 * Codex's file changes (their unified diffs); undefined for every other tool.
 */
export function formatToolDiff(s: ChatStyle, name: string, input: unknown): string | undefined {
  const o = isObj(input) ? input : {};
  const out: string[] = [];
  const texts = (before: string, after: string) => {
    for (const l of lines(before)) out.push(s.red(`    - ${l}`));
    for (const l of lines(after)) out.push(s.green(`    + ${l}`));
  };
  switch (name) {
    case 'Edit':
      texts(str(o.old_string), str(o.new_string));
      break;
    case 'MultiEdit':
      for (const e of Array.isArray(o.edits) ? o.edits.filter(isObj) : [])
        texts(str(e.old_string), str(e.new_string));
      break;
    case 'Write':
      texts('', str(o.content));
      break;
    case 'file_change':
      for (const c of Array.isArray(o.changes) ? o.changes.filter(isObj) : []) {
        out.push(s.dim(`    ${str(c.path)}`));
        for (const l of lines(str(c.diff))) {
          if (l.startsWith('+++') || l.startsWith('---')) continue;
          out.push(
            l.startsWith('+')
              ? s.green(`    ${l}`)
              : l.startsWith('-')
                ? s.red(`    ${l}`)
                : s.dim(`    ${l}`),
          );
        }
      }
      break;
    default:
      return undefined;
  }
  if (out.length === 0) return undefined;
  const more = out.length - MAX_LINES;
  return [...out.slice(0, MAX_LINES), ...(more > 0 ? [s.dim(`    … (+${more} lines)`)] : [])].join(
    '\n',
  );
}
