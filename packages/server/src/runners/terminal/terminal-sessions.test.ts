import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server.js';
import { BASH_TERMINAL, startTestServer } from '../../testing/test-server.js';
import { ScreenViewer } from '../../testing/screen-viewer.js';
import { waitFor } from './recording-context.test-helper.js';
import { settled } from './settle.test-helper.js';

const SHELL = BASH_TERMINAL;

async function screensOf(clients: ScreenViewer[]): Promise<string[]> {
  return Promise.all(clients.map((c) => c.serialized()));
}

describe('terminal sessions over a real server', () => {
  let server: RunningServer & { stop(): Promise<void> };
  const clients: ScreenViewer[] = [];
  const connect = async () => {
    const c = await ScreenViewer.connect(server.wsUrl, server.ownerToken, { strict: true });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it('ten clients and a late joiner see byte-identical screens', async (t) => {
    const writer = await connect();
    const sessionId = await writer.createTerminal(SHELL);
    const viewers = [writer];
    for (let i = 0; i < 9; i++) viewers.push(await connect());
    for (const v of viewers) await v.subscribe(sessionId);

    writer.type(
      sessionId,
      'printf "\\033[1;31mred\\033[0m \\033[42mgreen bg\\033[0m\\n"; seq 1 200\n',
    );
    // A full-screen program's escapes: alternate screen, hidden cursor, cursor moved.
    writer.type(
      sessionId,
      'printf "\\033[?1049h\\033[H\\033[2J\\033[?25l\\033[5;10H\\033[7mfull screen\\033[0m\\033[2;3H"; sleep 0.2; echo; echo DONE-MARK\n',
    );
    await waitFor(
      'DONE-MARK everywhere',
      async () => (await screensOf(viewers)).every((s) => s.includes('DONE-MARK')),
      15_000,
    );
    await settled(viewers);
    const screens = await screensOf(viewers);
    assert.match(screens[0] ?? '', /DONE-MARK/);
    assert.match(screens[0] ?? '', /\x1b\[\?1049h/);
    for (const s of screens) assert.equal(s, screens[0]);

    const started = performance.now();
    const late = await connect();
    await late.subscribe(sessionId);
    await waitFor('late joiner caught up', () => late.lastSeq === writer.lastSeq);
    const lateScreen = await late.serialized();
    t.diagnostic(`late joiner: ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(lateScreen, screens[0]);
  });

  for (const lines of [1_000, 10_000]) {
    it(`a late joiner after ${lines} lines of scrollback gets the same screen`, async (t) => {
      const writer = await connect();
      const sessionId = await writer.createTerminal({ ...SHELL, cols: 120, rows: 40 });
      await writer.subscribe(sessionId, 120, 40);
      writer.type(
        sessionId,
        `for i in $(seq 1 ${lines}); do printf "\\033[3$((i % 8))mline %d\\033[0m\\n" $i; done; echo END-$((6*7))\n`,
      );
      await waitFor('output done', async () => /END-42/.test(await writer.serialized()), 60_000);
      // Output is batched into few events; resizes add many small ones, so that a joiner is
      // far enough behind for the server to send the screen instead of replaying the log.
      for (let i = 0; i < 150; i++) {
        writer.send({ type: 'resize', sessionId, cols: 100, rows: 30 });
        writer.send({ type: 'resize', sessionId, cols: 120, rows: 40 });
      }
      await settled([writer]);
      const expected = await writer.serialized();

      const started = performance.now();
      const late = await connect();
      await late.subscribe(sessionId, 120, 40);
      await waitFor('late joiner caught up', () => late.lastSeq === writer.lastSeq, 30_000);
      const screen = await late.serialized();
      const ms = performance.now() - started;
      t.diagnostic(
        `late joiner after ${lines} lines: ${ms.toFixed(0)} ms, screen ${screen.length} chars, ` +
          `snapshots ${late.snapshots}, seq ${late.lastSeq}`,
      );
      assert.equal(screen, expected);
      assert.equal(late.snapshots, 1, 'the joiner got the screen, not the whole log');
      late.close();
    });
  }

  it('a session flooding output does not stall another session', async (t) => {
    const a = await connect();
    const flood = await a.createTerminal(SHELL);
    const quiet = await a.createTerminal(SHELL);
    await a.subscribe(quiet);
    const b = await connect();
    await b.subscribe(flood);
    a.type(flood, 'yes baton-flood-line\n');
    await waitFor('flood started', () => b.lastSeq > 50, 10_000);
    const rtts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      a.type(quiet, `echo pong-${i}\n`);
      await waitFor(
        `pong-${i}`,
        async () => (await a.serialized()).includes(`pong-${i}\r\n`),
        15_000,
      );
      rtts.push(performance.now() - started);
    }
    const shown = rtts.map((r) => r.toFixed(0)).join(', ');
    t.diagnostic(`echo round trips while another session runs yes: ${shown} ms`);
    assert.match(await a.serialized(), /pong-4/);
    a.type(flood, '\x03');
  });
});
