import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '@baton/server';
import { ScreenViewer, Tmux } from '@baton/server/testing';

const onPath = (program: string) =>
  (process.env['PATH'] ?? '').split(delimiter).some((d) => existsSync(join(d, program)));

const SHELL = {
  shell: '/bin/bash',
  args: ['--norc', '--noprofile', '-i'],
  env: { PS1: '$ ', HISTFILE: '/dev/null' },
  cols: 100,
  rows: 30,
};

async function until<T>(
  what: string,
  check: () => Promise<T | false | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('baton attach in a real terminal (tmux)', { skip: !onPath('tmux') && 'no tmux' }, () => {
  let server: RunningServer;
  let dir: string;
  let tmux: Tmux;
  const screens: ScreenViewer[] = [];

  /** Waits until the pane shows, line for line, what the WebSocket client renders. */
  const expectSameScreen = async (pane: string, screen: ScreenViewer) => {
    let last: { pane: string[]; ws: string[] } = { pane: [], ws: [] };
    try {
      await until(
        'the pane to show what the WebSocket client shows',
        async () => {
          last = { pane: await tmux.lines(pane), ws: await screen.visibleLines() };
          return last.pane.join('\n') === last.ws.join('\n');
        },
        10_000,
      );
    } catch {
      assert.deepEqual(last.pane, last.ws);
    }
    assert.deepEqual(screen.violations, []);
    return last.pane;
  };

  const paneShows = async (pane: string, text: string) => {
    let shown = '';
    try {
      await until(`the pane to show '${text}'`, async () => {
        shown = (await tmux.lines(pane)).join('\n');
        return shown.includes(text);
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}; the pane shows:\n${shown}`);
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-tmux-'));
    server = await startServer({ dataDir: join(dir, 'data'), port: 0, logLevel: 'silent' });
    // `baton` on the pane's PATH, as an installed CLI would be.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const main = fileURLToPath(new URL('../main.js', import.meta.url));
    writeFileSync(join(bin, 'baton'), `#!/bin/sh\nexec '${process.execPath}' '${main}' "$@"\n`, {
      mode: 0o755,
    });
    tmux = new Tmux({
      env: {
        ...process.env,
        PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`,
        BATON_HOME: join(dir, 'home'),
        BATON_URL: server.url,
        BATON_TOKEN: server.ownerToken,
        PS1: '$ ',
        ENV: '',
      },
      // No status line: the pane is the whole window. Keys are never held back as escapes.
      config: ['set -g status off', 'set -g escape-time 0'],
    });
  });
  after(async () => {
    await tmux.kill();
    for (const s of screens) s.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the same screen as a WebSocket client, detaches with Ctrl-\\ and reattaches', async () => {
    const ws = await ScreenViewer.connect(server.wsUrl, server.ownerToken);
    screens.push(ws);
    const { session } = (await ws.request({
      type: 'session.create',
      kind: 'terminal',
      config: SHELL,
    })) as { session: { id: string } };
    await ws.subscribe(session.id, SHELL.cols, SHELL.rows);
    // History from before the attachment, with colours and a line wider than the pane.
    ws.type(
      session.id,
      `for i in $(seq 1 60); do printf "\\033[3$((i % 8))mline %d\\033[0m\\n" $i; done; echo ${'w'.repeat(130)}\n`,
    );

    await tmux.newSession('a', SHELL.cols, SHELL.rows);
    await tmux.type('a', `baton attach ${session.id}`);
    await paneShows('a', 'line 60');
    await tmux.type('a', 'echo typed-in-tmux-$((6*7)); seq 1 5');
    await paneShows('a', 'typed-in-tmux-42');
    const shown = await expectSameScreen('a', ws);
    assert.ok(shown.includes('typed-in-tmux-42'));

    if (onPath('vim')) {
      // A full-screen program drawn through attach into a real terminal emulator.
      await tmux.type('a', 'vim -u NONE -i NONE -N -n -c "set number"');
      await paneShows('a', '~');
      await tmux.type('a', 'idrawn by vim', false);
      await tmux.keys('a', 'Escape');
      await paneShows('a', 'drawn by vim');
      await expectSameScreen('a', ws);
      await tmux.type('a', ':q!');
      await until('vim to quit', async () => !(await tmux.lines('a')).join('\n').includes('~'));
    }

    // Ctrl-\ detaches: the session lives on and the pane is back at its own shell.
    await tmux.keys('a', 'C-\\');
    await paneShows('a', '[detached from');
    ws.type(session.id, 'echo while-detached-$((6*7))\n');
    await tmux.type('a', `baton attach ${session.id}`);
    await paneShows('a', 'while-detached-42');
    await expectSameScreen('a', ws);
    await tmux.type('a', 'echo after-$((1+1))-reattach');
    await paneShows('a', 'after-2-reattach');
    await expectSameScreen('a', ws);
    await tmux.keys('a', 'C-\\');
    await paneShows('a', '[detached from');
  });

  it('baton new terminal --attach opens a new session at once', async () => {
    await tmux.newSession('b', 90, 25);
    await tmux.type('b', 'baton new terminal --attach --name from-tmux --shell /bin/sh');
    const ws = await ScreenViewer.connect(server.wsUrl, server.ownerToken);
    screens.push(ws);
    const session = await until('the new session', async () =>
      (await ws.sessions()).find((s) => s.name === 'from-tmux'),
    );
    // The session took the pane's size from the start.
    assert.deepEqual([session.config['cols'], session.config['rows']], [90, 25]);
    await ws.subscribe(session.id, 90, 25);
    await tmux.type('b', 'echo fresh-$((6*7))');
    await paneShows('b', 'fresh-42');
    await expectSameScreen('b', ws);
    await tmux.keys('b', 'C-\\');
    await paneShows('b', '[detached from');
  });
});
