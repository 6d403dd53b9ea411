import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BASH_TERMINAL,
  startTestServer,
  tempDataDir,
  waitUntil,
} from '../../testing/test-server.js';
import type { RunningServer } from '../../server.js';
import { ScreenViewer } from '../../testing/screen-viewer.js';
import { settled } from './settle.test-helper.js';

const SHELL = BASH_TERMINAL;

/**
 * A small full-screen program, so the test runs where no vim is installed: alternate screen,
 * hidden cursor, application cursor keys, bracketed paste, mouse tracking, 256 and true colours
 * painted at positioned places; every key redraws; `q` quits and restores the main screen.
 */
const PAINTER = String.raw`
printf '\033[?1049h\033[?1h\033=\033[?2004h\033[?1000h\033[?25l'
draw() {
  printf '\033[H\033[2J'
  for r in $(seq 1 20); do
    printf '\033[%d;%dH\033[38;5;%dm\033[48;2;%d;40;80m row %02d \033[0m' $r $((r * 2)) $((r * 11 % 256)) $((r * 12)) $r
  done
  printf '\033[22;1H\033[1;4;33mstatus: %s\033[0m\033[K\033[10;30H' "$1"
}
draw start
while IFS= read -rsn1 key; do
  [ "$key" = q ] && break
  draw "key $key"
done
printf '\033[?1000l\033[?2004l\033[?1l\033>\033[?25h\033[?1049l'
`;

/** A file for vim to show with syntax colours. */
const VIM_FILE = [
  '#!/bin/sh',
  '# shown by vim',
  'for i in 1 2 3; do',
  '  echo "line $i"',
  'done',
  '',
];

interface Program {
  name: string;
  /** The shell command that starts it. */
  command(dir: string): string;
  /** Keys that change what it shows while running, one string per step. */
  keys: string[];
  /** Text on its screen once it has drawn (after `keys`). */
  shows: string;
  quit: string;
}

function onPath(program: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((d) => existsSync(join(d, program)));
}

const painter: Program = {
  name: 'a painting script',
  command(dir) {
    const file = join(dir, 'painter.sh');
    writeFileSync(file, PAINTER);
    return `bash ${file}`;
  },
  keys: ['a', 'b'],
  shows: 'status: key b',
  quit: 'q',
};

const vim: Program = {
  name: 'vim',
  command(dir) {
    const file = join(dir, 'shown.sh');
    writeFileSync(file, VIM_FILE.join('\n'));
    // No vimrc, viminfo or swap file: the same screen on every machine.
    return `vim -u NONE -i NONE -N -n -c 'syntax on' -c 'set number' ${file}`;
  },
  keys: ['Go', 'edited-text-42', '\x1b', ':split\r', 'gg'],
  // Plain words: a shell keyword would be coloured apart by the syntax highlighting.
  shows: 'edited-text-42',
  quit: ':qa!\r',
};

const programs = onPath('vim') ? [painter, vim] : [painter];

describe('a full-screen program across attached clients', () => {
  let server: RunningServer & { stop(): Promise<void> };
  const viewers: ScreenViewer[] = [];
  const workDir = tempDataDir('baton-fullscreen-');
  const connect = async () => {
    const v = await ScreenViewer.connect(server.wsUrl, server.ownerToken);
    viewers.push(v);
    return v;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const v of viewers) v.close();
    await server.stop();
    workDir.remove();
  });

  const expectSameScreens = async (all: ScreenViewer[]): Promise<string> => {
    await settled(all);
    const screens = await Promise.all(all.map((v) => v.serialized()));
    for (const [i, s] of screens.entries()) assert.equal(s, screens[0], `viewer ${i} differs`);
    for (const v of all) assert.deepEqual(v.violations, []);
    return screens[0]!;
  };

  for (const program of programs) {
    for (const count of [2, 10]) {
      it(`${count} clients running ${program.name}, one joining midway`, async (t) => {
        const first = await connect();
        const sessionId = await first.createTerminal({ ...SHELL, cwd: workDir.dir });
        const attached = [first];
        for (let i = 1; i < count - 1; i++) attached.push(await connect());
        for (const v of attached) await v.subscribe(sessionId);
        const writer = attached[count - 2]!;

        if (count === 10) {
          // Enough small events that the midway joiner is sent the screen, not a replay.
          writer.type(
            'for i in $(seq 1 1500); do printf "\\033[3$((i % 8))m%d\\033[0m\\n" $i; done\n',
          );
          for (let i = 0; i < 150; i++) {
            writer.send({ type: 'resize', sessionId, cols: 100, rows: 30 });
            writer.send({ type: 'resize', sessionId, cols: 80, rows: 24 });
          }
        }
        writer.type(`clear; ${program.command(workDir.dir)}\n`);
        for (const keys of program.keys) {
          await settled(attached, 150);
          writer.type(keys);
        }
        const shown = await waitUntil(
          async () => (await first.serialized()).includes(program.shows) && first.lastSeq,
          `${program.name} to draw`,
        );

        const midway = await connect();
        await midway.subscribe(sessionId);
        await waitUntil(() => midway.lastSeq >= shown, 'the midway joiner to catch up');
        const everyone = [...attached, midway];
        const running = await expectSameScreens(everyone);
        assert.match(running, /\x1b\[\?1049h/, 'the alternate screen is active');
        assert.match(running, new RegExp(program.shows));
        if (count === 10) assert.deepEqual(midway.snapshotReasons, ['catchup']);
        t.diagnostic(
          `${program.name}: midway joiner got ${midway.snapshotReasons.length ? 'the screen' : 'a replay'}` +
            ` at seq ${midway.lastSeq}, screen ${running.length} chars`,
        );

        // The joiner types too: its keys reach the program like anyone's.
        midway.type(program.quit);
        await waitUntil(
          async () => !(await first.serialized()).includes('\x1b[?1049h'),
          `${program.name} to quit`,
        );
        writer.type('echo back-on-$((6*7))\n');
        await waitUntil(
          async () => (await first.serialized()).includes('back-on-42'),
          'the shell to answer',
        );
        const late = await connect();
        await late.subscribe(sessionId);
        const ended = await expectSameScreens([...everyone, late]);
        assert.doesNotMatch(ended, /\x1b\[\?1049h/, 'back on the main screen');
        assert.doesNotMatch(ended, new RegExp(program.shows));
        for (const v of [...everyone, late]) v.close();
      });
    }
  }
});
