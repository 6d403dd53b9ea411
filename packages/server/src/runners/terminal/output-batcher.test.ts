import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewLogEvent } from '@baton/protocol';
import { OutputBatcher, splitUtf8 } from './output-batcher.js';
import { waitFor } from './recording-context.test-helper.js';

function recorder(delayMs = 0) {
  const batches: NewLogEvent[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sink = async (events: NewLogEvent[]) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    batches.push(events);
    inFlight -= 1;
  };
  const text = () =>
    batches
      .flat()
      .map((e) => (e.type === 'terminal.output' ? e.data.data : `[${e.type}]`))
      .join('');
  return { sink, batches, text, maxInFlight: () => maxInFlight };
}

describe('OutputBatcher', () => {
  it('asks the producer to pause while a sink call holds output past the high-water mark', async () => {
    const batches: string[] = [];
    let release: () => void = () => {};
    let gate = new Promise<void>((r) => (release = r));
    const sink = async (events: NewLogEvent[]) => {
      await gate;
      for (const e of events) if (e.type === 'terminal.output') batches.push(e.data.data);
    };
    const pressure: boolean[] = [];
    const b = new OutputBatcher(sink, {
      delayMs: 0,
      maxBytes: 100,
      highWaterBytes: 1000,
      onPressure: (paused) => pressure.push(paused),
    });
    b.push('first');
    await new Promise((r) => setImmediate(r)); // 'first' is now in flight, held by the gate
    for (let i = 0; i < 9; i++) b.push('y'.repeat(100));
    assert.deepEqual(pressure, [], 'below the mark the producer runs on');
    b.push('z'.repeat(100));
    assert.deepEqual(pressure, [true], 'at the mark the producer is paused, once');
    b.push('more');
    assert.deepEqual(pressure, [true]);
    release();
    gate = Promise.resolve();
    await b.flush();
    assert.deepEqual(pressure, [true, false], 'resumed once the sink call returned');
    assert.equal(batches.join(''), 'first' + 'y'.repeat(900) + 'z'.repeat(100) + 'more');
  });

  it('coalesces output that arrives within the delay into one event', async () => {
    const r = recorder();
    const b = new OutputBatcher(r.sink, { delayMs: 50 });
    b.push('a');
    b.push('b');
    b.push('c');
    assert.equal(r.batches.length, 0);
    await waitFor('the delayed batch', () => r.batches.length > 0);
    assert.deepEqual(r.batches, [[{ type: 'terminal.output', data: { data: 'abc' } }]]);
  });

  it('emits at once when maxBytes accumulate and splits larger runs', async () => {
    const r = recorder();
    const b = new OutputBatcher(r.sink, { delayMs: 10_000, maxBytes: 10 });
    b.push('0123456789abcdefghijklmnopqrstu');
    await b.flush();
    const sizes = r.batches.flat().map((e) => (e.type === 'terminal.output' ? e.data.data : ''));
    assert.deepEqual(sizes, ['0123456789', 'abcdefghij', 'klmnopqrst', 'u']);
    b.dispose();
  });

  it('keeps order and one sink call at a time while the sink is slow', async () => {
    const r = recorder(15);
    const b = new OutputBatcher(r.sink, { delayMs: 1 });
    let expected = '';
    for (let i = 0; i < 200; i++) {
      b.push(`${i},`);
      expected += `${i},`;
      if (i % 20 === 0) await new Promise((res) => setTimeout(res, 2));
    }
    await b.flush();
    assert.equal(r.text(), expected);
    assert.equal(r.maxInFlight(), 1);
    assert.ok(r.batches.length < 20, `${r.batches.length} batches`);
  });

  it('places an enqueued event after the output before it', async () => {
    const r = recorder(5);
    const b = new OutputBatcher(r.sink, { delayMs: 1_000 });
    b.push('before');
    b.enqueue({ type: 'terminal.resized', data: { cols: 10, rows: 5 } });
    b.push('after');
    await b.flush();
    assert.equal(r.text(), 'before[terminal.resized]after');
  });

  it('carries on after the sink fails', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const seen: string[] = [];
    const b = new OutputBatcher(
      (events) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('disk full'));
        for (const e of events) if (e.type === 'terminal.output') seen.push(e.data.data);
        return Promise.resolve();
      },
      { delayMs: 0, onError: (e) => errors.push(e) },
    );
    b.push('lost');
    await b.flush();
    b.push('kept');
    await b.flush();
    assert.equal(errors.length, 1);
    assert.deepEqual(seen, ['kept']);
  });
});

describe('splitUtf8', () => {
  it('never exceeds the byte limit nor splits a surrogate pair', () => {
    const text = 'aé😀'.repeat(1000);
    const pieces = splitUtf8(text, 64);
    assert.equal(pieces.join(''), text);
    for (const p of pieces) {
      assert.ok(Buffer.byteLength(p) <= 64);
      assert.ok(!/[\ud800-\udbff]$/.test(p), 'ends inside a surrogate pair');
      assert.ok(Buffer.from(p).toString() === p);
    }
  });
});
