import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHostStream } from './check-host-stream.js';
import type { CanonicalEvent } from './history.js';

const S = 's_aaaaaaaaaaaaaaaaaaaa';

/** Terminal output events in seq order, each chunk as the host batched it. */
function log(...chunks: string[]): CanonicalEvent[] {
  return chunks.map((output, i) => ({
    seq: i + 1,
    type: 'terminal.output',
    output,
    digest: `out-${i + 1}`,
  }));
}

/** The printer's lines `from`…`to` of one shell, as the PTY writes them. */
function lines(epoch: string, from: number, to: number): string {
  let text = '';
  for (let n = from; n <= to; n++) text += `o ${epoch} ${n} .\r\n`;
  return text;
}

const kinds = (r: { violations: { kind: string }[] }) => r.violations.map((v) => v.kind).sort();
const options = { maxEpochs: 2, minLines: 1 };

test('one shell, its lines split anywhere over events and mixed with answers, passes', () => {
  const text = lines('1.5', 0, 9) + 'got c0-1 xx\r\n' + lines('1.5', 10, 19);
  const cuts = [3, 40, 41, 120, 200];
  const chunks = [0, ...cuts].map((c, i) => text.slice(c, cuts[i] ?? text.length));
  const r = checkHostStream(S, log(...chunks), options);
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.summary, { epochs: 1, lines: 20 });
});

test('a new shell after a host kill: the old one may end mid-line, it never comes back', () => {
  const killed = lines('1.5', 0, 6) + 'o 1.5 7';
  const ok = checkHostStream(S, log(killed, lines('2.9', 0, 5)), options);
  assert.deepEqual(ok.violations, []);
  assert.deepEqual(ok.summary, { epochs: 2, lines: 13 });

  const back = checkHostStream(S, log(killed, lines('2.9', 0, 5), lines('1.5', 8, 9)), options);
  assert.deepEqual(kinds(back), ['stream-gap', 'stream-interleaved']);
});

test('a line lost within one shell (an acknowledged out not stored) is a gap', () => {
  const r = checkHostStream(S, log(lines('1.5', 0, 4), lines('1.5', 6, 9)), options);
  assert.deepEqual(kinds(r), ['stream-gap']);
  assert.match(r.violations[0]!.detail, /line 6 after 4/);
});

test('a line stored twice or out of order is caught', () => {
  const twice = checkHostStream(S, log(lines('1.5', 0, 4), lines('1.5', 3, 9)), options);
  assert.deepEqual(kinds(twice), ['stream-repeated', 'stream-repeated']);
  const swapped = checkHostStream(
    S,
    log(lines('1.5', 0, 2), lines('1.5', 4, 4), lines('1.5', 3, 3), lines('1.5', 5, 6)),
    options,
  );
  assert.deepEqual(kinds(swapped), ['stream-gap', 'stream-repeated']);
});

test('a shell whose first lines are missing, more shells than host starts, too few lines', () => {
  assert.deepEqual(kinds(checkHostStream(S, log(lines('1.5', 2, 5)), options)), ['stream-gap']);
  const three = log(lines('1.1', 0, 1), lines('2.2', 0, 1), lines('3.3', 0, 1));
  assert.deepEqual(kinds(checkHostStream(S, three, options)), ['stream-epochs']);
  const few = checkHostStream(S, log(lines('1.1', 0, 1)), { maxEpochs: 1, minLines: 100 });
  assert.deepEqual(kinds(few), ['stream-missing']);
});

test('events in the log out of seq order are read in seq order', () => {
  const [a, b] = log(lines('1.1', 0, 3), lines('1.1', 4, 7));
  const r = checkHostStream(S, [b!, a!], options);
  assert.deepEqual(r.violations, []);
});
