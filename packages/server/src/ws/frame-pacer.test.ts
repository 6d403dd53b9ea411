import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FramePacer, type PacerTimers } from './frame-pacer.js';
import { TokenBucket } from './token-bucket.js';

/** A clock and timers driven by the test: `advance` fires what falls due, in order. */
function fakeTime(): { now: () => number; timers: PacerTimers; advance(ms: number): void } {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    timers: {
      set: (fn, ms) => {
        due.set(++next, { at: now + ms, fn });
        return next;
      },
      clear: (handle) => due.delete(handle as number),
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const first = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!first || first[1].at > end) break;
        due.delete(first[0]);
        now = first[1].at;
        first[1].fn();
      }
      now = end;
    },
  };
}

function setup(limit = { perSecond: 10, burst: 2 }) {
  const time = fakeTime();
  const handled: string[] = [];
  const reading: boolean[] = [];
  let held = 0;
  const pacer = new FramePacer<string>(
    new TokenBucket(limit, time.now),
    {
      handle: (f) => handled.push(f),
      pause: () => reading.push(false),
      resume: () => reading.push(true),
      onHeld: () => held++,
    },
    time.timers,
  );
  return { pacer, time, handled, reading, held: () => held };
}

test('frames within the burst are handled at once, and reading never stops', () => {
  const { pacer, handled, reading } = setup();
  pacer.offer('a');
  pacer.offer('b');
  assert.deepEqual(handled, ['a', 'b']);
  assert.deepEqual(reading, []);
});

test('a frame over the rate waits, and every later frame waits behind it, in order', () => {
  const { pacer, time, handled, reading, held } = setup();
  for (const f of ['a', 'b', 'c', 'd', 'e']) pacer.offer(f);
  assert.deepEqual(handled, ['a', 'b'], 'the burst passes, the rest waits');
  assert.deepEqual(reading, [false], 'reading paused once');
  assert.equal(pacer.waiting, 3);
  assert.equal(held(), 3);

  time.advance(100);
  assert.deepEqual(handled, ['a', 'b', 'c'], 'one token every 100 ms at 10/s');
  pacer.offer('f');
  assert.equal(pacer.waiting, 3, 'a frame read meanwhile queues behind the waiting ones');
  time.advance(300);
  assert.deepEqual(handled, ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.equal(reading.at(-1), true, 'reading resumes once nothing waits');
  assert.equal(pacer.waiting, 0);

  pacer.offer('g');
  assert.deepEqual(handled.at(-1), 'f', 'the bucket is still empty: g waits as well');
  time.advance(100);
  assert.deepEqual(handled.at(-1), 'g');
});

test('a closed connection handles nothing more of what waited', () => {
  const { pacer, time, handled } = setup({ perSecond: 10, burst: 1 });
  pacer.offer('a');
  pacer.offer('b');
  pacer.dispose();
  time.advance(1000);
  pacer.offer('c');
  assert.deepEqual(handled, ['a']);
});

test('a frame whose handling closes the connection ends the run of waiting frames', () => {
  const time = fakeTime();
  const handled: string[] = [];
  const pacer: FramePacer<string> = new FramePacer<string>(
    new TokenBucket({ perSecond: 1000, burst: 1 }, time.now),
    {
      handle: (f) => {
        handled.push(f);
        if (f === 'goodbye') pacer.dispose();
      },
      pause: () => {},
      resume: () => assert.fail('a closed connection is not read again'),
    },
    time.timers,
  );
  pacer.offer('a');
  pacer.offer('goodbye');
  pacer.offer('late');
  time.advance(1000);
  assert.deepEqual(handled, ['a', 'goodbye']);
});
