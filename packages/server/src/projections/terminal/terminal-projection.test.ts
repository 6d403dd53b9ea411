import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import { HeadlessScreen } from './headless-screen.js';
import { createTerminalProjectionFactory } from './index.js';
import { ScreenWorkerPool } from './screen-worker-pool.js';
import { TerminalProjection } from './terminal-projection.js';

let seq = 0;
const output = (data: string): LogEvent => ({
  seq: ++seq,
  ts: 0,
  type: 'terminal.output',
  data: { data },
});
const resized = (cols: number, rows: number): LogEvent => ({
  seq: ++seq,
  ts: 0,
  type: 'terminal.resized',
  data: { cols, rows },
});

function coloredLines(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += `\x1b[3${i % 8}m\x1b[4${(i + 3) % 8}mline ${i}\x1b[0m \x1b[1;38;5;${i % 256}mbold ${i}\x1b[0m\r\n`;
  }
  return s;
}

/** What vim and htop do: switch to the alternate screen, hide the cursor, draw, move the cursor. */
const ALT_SCREEN =
  '\x1b[?1049h\x1b[22;0;0t\x1b[?1h\x1b=\x1b[H\x1b[2J\x1b[?25l' +
  '\x1b[1;1H\x1b[38;2;255;100;0mfull-screen app\x1b[0m' +
  '\x1b[5;10H\x1b[7mreverse\x1b[27m \x1b[4munderlined\x1b[24m' +
  '\x1b[24;1H\x1b[1m-- INSERT --\x1b[0m\x1b[3;7H';

function projectionEvents(): LogEvent[] {
  return [
    output('$ ls --color\r\n'),
    output(coloredLines(300)),
    resized(100, 30),
    output('x'.repeat(250) + '\r\n'),
    output('$ vim\r\n'),
    output(ALT_SCREEN),
  ];
}

describe('HeadlessScreen', () => {
  it('two screens fed the same output serialize identically', async () => {
    const a = new HeadlessScreen(80, 24);
    const b = new HeadlessScreen(80, 24);
    const data = coloredLines(500) + ALT_SCREEN;
    a.write(data);
    // The second one gets the same bytes in different chunks.
    for (let i = 0; i < data.length; i += 777) b.write(data.slice(i, i + 777));
    const [sa, sb] = await Promise.all([a.snapshot(), b.snapshot()]);
    assert.equal(sa.screen, sb.screen);
    a.dispose();
    b.dispose();
  });

  it('a screen restored from a snapshot of 10,000 lines serializes identically', async (t) => {
    const a = new HeadlessScreen(80, 24, 10_000);
    a.write(coloredLines(10_000));
    const started = performance.now();
    const snap = await a.snapshot();
    t.diagnostic(
      `parse + serialize of 10,000 lines: ${(performance.now() - started).toFixed(0)} ms`,
    );
    assert.match(snap.screen, /line 9999/);
    assert.match(snap.screen, /line 1\b/);
    const b = new HeadlessScreen(80, 24, 10_000);
    b.restore(snap);
    assert.deepEqual(await b.snapshot(), snap);
    a.dispose();
    b.dispose();
  });

  it('keeps the alternate screen, hidden cursor, cursor position and modes', async () => {
    const a = new HeadlessScreen(80, 24);
    a.write('shell history\r\n' + ALT_SCREEN);
    const snap = await a.snapshot();
    assert.ok(snap.screen.includes('\x1b[?1049h'), 'alternate screen');
    assert.ok(snap.screen.endsWith('\x1b[?25l'), 'hidden cursor');
    assert.ok(snap.screen.includes('\x1b[?1h'), 'application cursor keys');
    const b = new HeadlessScreen(80, 24);
    b.restore(snap);
    assert.deepEqual(await b.snapshot(), snap);
    // Leaving the alternate screen shows the shell history again, on both.
    a.write('\x1b[?25h\x1b[?1049l$ ');
    b.write('\x1b[?25h\x1b[?1049l$ ');
    const [la, lb] = [await a.snapshot(), await b.snapshot()];
    assert.equal(la.screen, lb.screen);
    assert.match(la.screen, /shell history/);
    assert.doesNotMatch(la.screen, /full-screen app/);
    a.dispose();
    b.dispose();
  });

  it('applies a resize between the output before and after it', async () => {
    const a = new HeadlessScreen(80, 24);
    a.write('a'.repeat(100));
    a.resize(40, 10);
    a.write('\r\nafter');
    const snap = await a.snapshot();
    assert.equal(snap.cols, 40);
    assert.equal(snap.rows, 10);
    const b = new HeadlessScreen(80, 24);
    b.restore(snap);
    assert.deepEqual(await b.snapshot(), snap);
    a.dispose();
    b.dispose();
  });
});

describe('TerminalProjection', () => {
  const pool = new ScreenWorkerPool({ size: 2 });
  after(() => pool.close());

  it('gives the same snapshot on a worker as in process, with the seq it covers', async () => {
    const inWorker = createTerminalProjectionFactory({ host: pool }).create({ cols: 80, rows: 24 });
    const local = createTerminalProjectionFactory({ host: 'in-process' }).create({
      cols: 80,
      rows: 24,
    });
    const events = projectionEvents();
    for (const e of events) {
      inWorker.apply(e);
      local.apply(e);
    }
    const [w, l] = await Promise.all([inWorker.snapshot(), local.snapshot()]);
    assert.deepEqual(w, l);
    assert.equal(w.seq, events.at(-1)?.seq);
    assert.equal(w.state.kind, 'terminal');
    if (w.state.kind === 'terminal') assert.deepEqual([w.state.cols, w.state.rows], [100, 30]);
    inWorker.dispose();
    local.dispose();
  });

  it('a snapshot covers exactly the events applied before it was asked for', async () => {
    const p = createTerminalProjectionFactory({ host: pool }).create({ cols: 80, rows: 24 });
    p.apply(output('before\r\n'));
    const pending = p.snapshot();
    p.apply(output('after\r\n'));
    const snap = await pending;
    assert.equal(snap.state.kind === 'terminal' && snap.state.screen.includes('after'), false);
    p.dispose();
  });

  it('restores from a snapshot and continues with the events after it', async () => {
    const factory = createTerminalProjectionFactory({ host: pool, scrollback: 10_000 });
    const a = factory.create({ cols: 80, rows: 24 });
    a.apply(output(coloredLines(10_000)));
    const snap = await a.snapshot();
    const b = factory.create({ cols: 80, rows: 24 });
    b.restore(snap.seq, snap.state);
    const tail = [output('\x1b[31mtail\x1b[0m\r\n'), output(ALT_SCREEN)];
    for (const e of tail) {
      a.apply(e);
      b.apply(e);
    }
    const [sa, sb] = await Promise.all([a.snapshot(), b.snapshot()]);
    assert.deepEqual(sa, sb);
    a.dispose();
    b.dispose();
  });

  it('rejects a snapshot of another kind', () => {
    const p = new TerminalProjection(new HeadlessScreen(80, 24));
    assert.throws(() => p.restore(1, { kind: 'agent', events: [] }), /cannot restore/);
    p.dispose();
  });
});
