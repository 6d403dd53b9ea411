import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAckedOuts } from './check-acked-outs.js';
import type { SessionTap } from './host-link-tap.js';
import type { CanonicalEvent } from './history.js';

const S = 's_aaaaaaaaaaaaaaaaaaaa';

/** A log of events whose contents are the given strings, seq 1, 2, … */
function log(...contents: string[]): CanonicalEvent[] {
  return contents.map((content, i) => ({
    seq: i + 1,
    type: 'terminal.output',
    content,
    digest: `${i + 1}:${content}`,
  }));
}

/** A tap that saw these outs (n → event contents, null for a status) and these acks. */
function tap(outs: Record<number, string[] | null>, acks: number[]): SessionTap {
  return {
    outs: new Map(
      Object.entries(outs).map(([n, events]) => [
        Number(n),
        { n: Number(n), events: events ?? undefined, changed: false },
      ]),
    ),
    acked: new Set(acks),
  };
}

const kinds = (r: { violations: { kind: string }[] }) => r.violations.map((v) => v.kind).sort();

test('every acknowledged out in the log, in order, passes; unacknowledged ones may be missing', () => {
  const canonical = log('input', 'a', 'b', 'status', 'c', 'input');
  const r = checkAckedOuts(S, canonical, tap({ 1: ['a', 'b'], 2: null, 3: ['c'], 4: ['d'] }, [3]));
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.summary, { sent: 4, acked: 3, checked: 2 });
});

test('an acknowledged out missing from the log, wholly or in part, is lost', () => {
  const whole = checkAckedOuts(S, log('a', 'b'), tap({ 1: ['a', 'b'], 2: ['c'] }, [2]));
  assert.deepEqual(kinds(whole), ['out-lost']);
  assert.match(whole.violations[0]!.detail, /out 2 was acknowledged/);
  const part = checkAckedOuts(S, log('a', 'x'), tap({ 1: ['a', 'b'] }, [1]));
  assert.deepEqual(kinds(part), ['out-lost']);
});

test('an acknowledged out stored before one numbered below it is caught', () => {
  const swapped = checkAckedOuts(S, log('b', 'a'), tap({ 1: ['a'], 2: ['b'] }, [2]));
  assert.deepEqual(kinds(swapped), ['out-reordered']);
});

test('the same content in several outs (each new shell starts alike) matches in order', () => {
  const canonical = log('prompt', 'a', 'prompt', 'b');
  const r = checkAckedOuts(
    S,
    canonical,
    tap({ 1: ['prompt'], 2: ['a'], 3: ['prompt'], 4: ['b'] }, [4]),
  );
  assert.deepEqual(r.violations, []);
  assert.equal(r.summary.checked, 4);
  const lost = checkAckedOuts(
    S,
    log('prompt', 'a', 'b'),
    tap({ 1: ['prompt'], 2: ['a'], 3: ['prompt'], 4: ['b'] }, [4]),
  );
  assert.equal(lost.violations.length, 1);
  assert.match(lost.violations[0]!.detail, /^out 3 /);
});

test('an out number sent again with other content is reported', () => {
  const t = tap({ 1: ['a'] }, [1]);
  t.outs.get(1)!.changed = true;
  assert.deepEqual(kinds(checkAckedOuts(S, log('a'), t)), ['out-changed']);
});
