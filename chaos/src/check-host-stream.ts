import type { Violation } from './check-history.js';
import type { CanonicalEvent } from './history.js';

/**
 * The shell of the relay scenarios, run by `baton host` in a real PTY: a background loop prints
 * numbered lines `o <epoch> <n> .` steadily (n = 0, 1, 2, … per shell; the epoch is the shell's
 * pid and start time, new for every shell a host start makes), and a foreground loop answers
 * every line typed into it. `/bin/sh -c` reads no rc files. The loop ends when its terminal is
 * gone (a killed host's PTY), so no printer outlives its host. Echo is off so that typed text is
 * not output twice.
 */
export const HOST_STREAM_TERMINAL = {
  shell: '/bin/sh',
  args: [
    '-c',
    'stty -echo; e=$$.$(date +%s%N); ' +
      '(n=0; while :; do k=0; while [ $k -lt 20 ]; do echo "o $e $n ." || exit; n=$((n+1)); k=$((k+1)); done; sleep 0.05; done) & ' +
      'while IFS= read -r line; do echo "got $line"; done',
  ],
};

/**
 * One complete line of the printer, at the end of a text line. Not anchored at the start: the
 * last line of a killed host's shell may be cut short and run into the next shell's first line;
 * a cut line never ends in ` .`, so only the next shell's line matches.
 */
const LINE = /o (\d+\.\d+) (\d+) \.$/;

export interface HostStreamSummary {
  /** Shells seen in the log, in order. */
  epochs: number;
  /** Numbered lines in the log. */
  lines: number;
}

/**
 * Checks the printer's lines in a session's log (terminal output in seq order) — what the host
 * made and the relay stored:
 * - within one shell the numbers are 0, 1, 2, … with none missing, none twice, none out of order:
 *   the host holds every `out` the relay has not acknowledged and sends it again after a relay
 *   restart, so a relay that acknowledged an `out` it did not store leaves a gap here;
 * - a killed host's shell ends with it: the lines it made but the relay never acknowledged are
 *   lost at its end only (a prefix 0…k is stored), and once the next shell's lines start, no line
 *   of an earlier shell appears again;
 * - there are no more shells than host starts (`maxEpochs`), and at least `minLines` lines.
 *
 * `unseen` (numbers compacted before the checker read them) must be empty: the stream cannot be
 * checked across events it never read.
 */
export function checkHostStream(
  sessionId: string,
  canonical: readonly CanonicalEvent[],
  options: { maxEpochs: number; minLines: number },
): { violations: Violation[]; summary: HostStreamSummary } {
  const violations: Violation[] = [];
  const v = (kind: Violation['kind'], detail: string) =>
    violations.push({ kind, sessionId, detail });
  const text = [...canonical]
    .sort((a, b) => a.seq - b.seq)
    .map((e) => e.output ?? '')
    .join('');
  const order: string[] = [];
  const last = new Map<string, number>();
  let lines = 0;
  for (const raw of text.split('\n')) {
    const match = LINE.exec(raw.replace(/\r$/, ''));
    if (!match) continue;
    const epoch = match[1]!;
    const n = Number(match[2]);
    lines++;
    const prev = last.get(epoch);
    if (prev === undefined) {
      order.push(epoch);
      if (n !== 0) v('stream-gap', `shell ${epoch} starts at line ${n}, not 0`);
    } else {
      if (order[order.length - 1] !== epoch)
        v('stream-interleaved', `shell ${epoch} line ${n} after a later shell's lines`);
      if (n > prev + 1) v('stream-gap', `shell ${epoch}: line ${n} after ${prev}`);
      else if (n <= prev) v('stream-repeated', `shell ${epoch}: line ${n} after ${prev}`);
    }
    last.set(epoch, Math.max(prev ?? -1, n));
    if (order[order.length - 1] !== epoch) order.push(epoch);
  }
  const epochs = last.size;
  if (epochs > options.maxEpochs)
    v('stream-epochs', `${epochs} shells in the log, but the host started ${options.maxEpochs}`);
  if (lines < options.minLines)
    v(
      'stream-missing',
      `${lines} numbered lines in the log, expected at least ${options.minLines}`,
    );
  return { violations, summary: { epochs, lines } };
}
