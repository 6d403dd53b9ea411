import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSession } from './check-history.js';
import type { CanonicalEvent, ClientHistory, Segment } from './history.js';

const S = 's_aaaaaaaaaaaaaaaaaaaa';

function log(...inputIds: (string | null)[]): CanonicalEvent[] {
  return inputIds.map((inputId, i) =>
    inputId === null
      ? { seq: i + 1, type: 'session.status', digest: `status-${i + 1}` }
      : { seq: i + 1, type: 'input', inputId, digest: `input-${inputId}` },
  );
}

function seen(canonical: CanonicalEvent[], seqs: number[], afterSeq = 0): Segment {
  return {
    afterSeq,
    items: seqs.map((seq) => ({
      kind: 'event' as const,
      event: { seq, digest: canonical[seq - 1]?.digest ?? 'missing' },
    })),
  };
}

function client(partial: Partial<ClientHistory>): ClientHistory {
  return { client: 'c1', sessionId: S, submitted: [], acks: [], segments: [], ...partial };
}

const kinds = (violations: { kind: string }[]) => violations.map((x) => x.kind).sort();

test('a correct history passes', () => {
  const canonical = log(null, 'a', 'b', 'c');
  const h = client({
    submitted: ['a', 'b', 'c'],
    acks: [
      { inputId: 'a', seq: 2, duplicate: false },
      { inputId: 'b', seq: 3, duplicate: false },
      { inputId: 'b', seq: 3, duplicate: true },
    ],
    // Resumed after seq 2, and once more from a stale position: both are slices of the log.
    segments: [seen(canonical, [1, 2]), seen(canonical, [3, 4], 2), seen(canonical, [2, 3, 4], 1)],
  });
  assert.deepEqual(checkSession(S, canonical, [h]), []);
});

test('an input in the log twice fails', () => {
  const canonical = log(null, 'a', 'a');
  const h = client({ submitted: ['a'], acks: [{ inputId: 'a', seq: 2, duplicate: false }] });
  assert.deepEqual(kinds(checkSession(S, canonical, [h])), ['input-duplicated']);
});

test('a gap in what a client observed fails', () => {
  const canonical = log(null, 'a', 'b', 'c');
  const h = client({ submitted: ['a', 'b', 'c'], segments: [seen(canonical, [1, 2, 4])] });
  assert.deepEqual(kinds(checkSession(S, canonical, [h])), ['observed-gap']);
});

test('events observed out of order fail', () => {
  const canonical = log(null, 'a', 'b');
  const h = client({ submitted: ['a', 'b'], segments: [seen(canonical, [1, 3, 2])] });
  assert.deepEqual(kinds(checkSession(S, canonical, [h])), ['observed-gap', 'observed-reorder']);
});

test('an event observed twice on one subscription fails', () => {
  const canonical = log(null, 'a');
  const h = client({ submitted: ['a'], segments: [seen(canonical, [1, 2, 2])] });
  assert.deepEqual(kinds(checkSession(S, canonical, [h])), ['observed-reorder']);
});

test('an observed event that differs from the log fails', () => {
  const canonical = log(null, 'a');
  const segment: Segment = {
    afterSeq: 0,
    items: [
      { kind: 'event', event: { seq: 1, digest: 'status-1' } },
      { kind: 'event', event: { seq: 2, digest: 'input-forged' } },
    ],
  };
  const h = client({ submitted: ['a'], segments: [segment] });
  assert.deepEqual(kinds(checkSession(S, canonical, [h])), ['observed-divergent']);
});

test('an observed event beyond the final log fails (it was told before it was committed)', () => {
  const canonical = log(null, 'a');
  const segment: Segment = {
    afterSeq: 0,
    items: [{ kind: 'event', event: { seq: 3, digest: 'x' } }],
  };
  const h = client({ submitted: ['a'], segments: [segment] });
  assert.deepEqual(kinds(checkSession(S, canonical, [h])), [
    'observed-beyond-head',
    'observed-gap',
  ]);
});

test('an acknowledged input missing from the log fails', () => {
  const canonical = log(null, 'a');
  const h = client({
    submitted: ['a', 'b'],
    acks: [
      { inputId: 'a', seq: 2, duplicate: false },
      { inputId: 'b', seq: 3, duplicate: false },
    ],
  });
  assert.deepEqual(kinds(checkSession(S, canonical, [h])), ['ack-not-in-log']);
});

test('acks of one input that disagree fail', () => {
  const canonical = log(null, 'a', 'b');
  const a = client({ submitted: ['a'], acks: [{ inputId: 'a', seq: 2, duplicate: false }] });
  const b = client({
    client: 'c2',
    submitted: ['a', 'b'],
    acks: [{ inputId: 'a', seq: 3, duplicate: true }],
  });
  assert.deepEqual(kinds(checkSession(S, canonical, [a, b])), ['ack-disagrees', 'ack-not-in-log']);
});

test('an ack for something the client never submitted fails', () => {
  const canonical = log(null, 'a');
  const a = client({ submitted: ['a'] });
  const b = client({ client: 'c2', acks: [{ inputId: 'a', seq: 2, duplicate: true }] });
  assert.deepEqual(kinds(checkSession(S, canonical, [a, b])), ['phantom-ack']);
});

test('an input nobody submitted and a hole in the log fail', () => {
  const canonical: CanonicalEvent[] = [
    { seq: 1, type: 'session.created', digest: 'c' },
    { seq: 3, type: 'input', inputId: 'ghost', digest: 'g' },
  ];
  assert.deepEqual(kinds(checkSession(S, canonical, [])), ['log-gap', 'phantom-input']);
});

test('a snapshot lets a subscription jump forward, never back', () => {
  const canonical = log(null, 'a', 'b', 'c');
  const ok: Segment = {
    afterSeq: 0,
    items: [
      { kind: 'snapshot', seq: 3 },
      { kind: 'event', event: { seq: 4, digest: 'input-c' } },
    ],
  };
  assert.deepEqual(
    checkSession(S, canonical, [client({ submitted: ['a', 'b', 'c'], segments: [ok] })]),
    [],
  );
  const back: Segment = {
    afterSeq: 3,
    items: [{ kind: 'snapshot', seq: 1 }],
  };
  assert.deepEqual(
    kinds(checkSession(S, canonical, [client({ submitted: ['a', 'b', 'c'], segments: [back] })])),
    ['observed-reorder'],
  );
});

test('numbers compacted before the checker read them are not gaps, and are not compared', () => {
  const full = log(null, 'a', 'b', 'c');
  // The checker never read seqs 1 and 2 (retention compacted them first).
  const canonical = full.slice(2);
  const h = client({
    submitted: ['a', 'b', 'c'],
    acks: [
      { inputId: 'a', seq: 2, duplicate: false },
      { inputId: 'b', seq: 3, duplicate: false },
    ],
    segments: [seen(full, [1, 2, 3, 4])],
  });
  assert.deepEqual(checkSession(S, canonical, [h], new Set([1, 2])), []);
  // The same log without knowing why 1 and 2 are missing is a gap.
  assert.deepEqual(kinds(checkSession(S, canonical, [h], new Set())), [
    'ack-not-in-log',
    'log-gap',
    'observed-divergent',
    'observed-divergent',
  ]);
  // An unseen number does not excuse a hole elsewhere, a wrong event at a read number, or an
  // observation beyond the head.
  const wrong: Segment = {
    afterSeq: 0,
    items: [
      { kind: 'event', event: { seq: 1, digest: 'anything' } },
      { kind: 'event', event: { seq: 2, digest: 'anything' } },
      { kind: 'event', event: { seq: 3, digest: 'not-b' } },
      { kind: 'event', event: { seq: 4, digest: 'input-c' } },
      { kind: 'event', event: { seq: 5, digest: 'beyond' } },
    ],
  };
  assert.deepEqual(
    kinds(
      checkSession(
        S,
        canonical,
        [client({ submitted: ['a', 'b', 'c'], segments: [wrong] })],
        new Set([1, 2]),
      ),
    ),
    ['observed-beyond-head', 'observed-divergent'],
  );
  const holey = [full[2], full[3]].filter((e): e is CanonicalEvent => e !== undefined);
  holey[1] = { ...holey[1]!, seq: 5 };
  // Seq 4 is missing and was never reported compacted: a gap (b and c are nobody's inputs here).
  assert.deepEqual(kinds(checkSession(S, holey, [], new Set([1, 2]))), [
    'log-gap',
    'phantom-input',
    'phantom-input',
  ]);
});
