/**
 * Requests that make a terminal answer on its input: device status and cursor position (DSR),
 * device attributes (DA1/DA2/DA3), mode reports (DECRQM), XTVERSION, window size and state
 * reports, colour queries (OSC 4/5/10–19 with `?`), DECRQSS and XTGETTCAP, the kitty keyboard
 * query.
 */
const QUERIES = new RegExp(
  [
    /\x1b\[\??[\d;]*n/.source,
    /\x1b\[[>=]?\d*c/.source,
    /\x1b\[\??\d+\$p/.source,
    /\x1b\[>\d*q/.source,
    /\x1b\[(?:1[13-689]|2[01])t/.source,
    /\x1b\](?:1\d|[45];\d+);\?(?:\x07|\x1b\\)/.source,
    /\x1bP[$+]q[^\x1b\x07]*(?:\x1b\\|\x07)/.source,
    /\x1b\[\?u/.source,
  ].join('|'),
  'g',
);

/** The same, without the global flag: `test` then keeps no position between calls. */
const ANY_QUERY = new RegExp(QUERIES.source);

/**
 * Removes terminal queries from output that is being redrawn rather than produced now.
 *
 * When `baton attach` replays a session's history into the user's terminal, the queries that a
 * program such as vim sent long ago would be answered again by the user's terminal, and the
 * answers would be typed into whatever runs in the session now (a shell then shows
 * `^[[2;1R^[[>84;0;0c`). Live output keeps its queries: the program that asks is running.
 *
 * A query split across two events is not recognised; output is cut into events at batch
 * boundaries, so this is rare, and the serialized screen a far-behind joiner gets has none.
 */
export function stripTerminalQueries(output: string): string {
  return output.includes('\x1b') ? output.replace(QUERIES, '') : output;
}

/**
 * Whether `output` asks the terminal that draws it for an answer: `baton attach` then expects
 * its user's terminal to answer on its input, and sends what does as reports.
 */
export function hasTerminalQuery(output: string): boolean {
  return output.includes('\x1b') && ANY_QUERY.test(output);
}
