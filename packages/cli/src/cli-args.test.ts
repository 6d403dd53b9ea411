import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COMMANDS } from './command-specs.js';
import { runBaton, type Run } from './run-baton.test-helper.js';

describe('the command line: --help everywhere, unknown options are errors', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'baton-cli-args-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  /** Runs the real CLI; a command that starts a server instead of exiting is killed and fails. */
  const baton = (args: string[]): Promise<Run> =>
    runBaton(
      args,
      {
        BATON_HOME: home,
        BATON_DATA: join(home, 'data'),
        BATON_URL: 'http://127.0.0.1:1',
        BATON_TOKEN: 'bo_test',
      },
      15_000,
    );

  const portOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });

  test('baton serve --help prints help and exits 0 without starting anything', async () => {
    for (const args of [
      ['serve', '--help'],
      ['serve', '-h'],
      ['serve', '--port', '45998', '--help'],
    ]) {
      const run = await baton(args);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^usage: baton serve/);
      assert.match(run.stdout, /--port N/);
      assert.doesNotMatch(run.stdout, /serving at/);
    }
    assert.equal(existsSync(join(home, 'data')), false, 'no data directory was created');
    assert.equal(await portOpen(45998), false);
  });

  test('every subcommand answers --help with its usage and exit 0', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const run = await baton([name, '--help']);
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`^usage: baton ${name}`), name);
      const viaHelp = await baton(['help', name]);
      assert.equal(viaHelp.stdout, run.stdout);
    }
  });

  test('an unknown option is an error that names it, exit 2, and never serves', async () => {
    const bogus = await baton(['serve', '--bogus', '--port', '45999']);
    assert.equal(bogus.code, 2);
    assert.match(bogus.stderr, /unknown option '--bogus' for baton serve; see baton serve --help/);
    assert.equal(bogus.stdout, '');
    assert.equal(await portOpen(45999), false);
    assert.equal(existsSync(join(home, 'data')), false);

    const cases: Array<[string[], RegExp]> = [
      [['serve', '--bogus=1'], /unknown option '--bogus'/],
      [['serve', '8080'], /baton serve takes no arguments, got '8080'/],
      [['serve', '-p', '80'], /unknown option '-p'/],
      [['ls', '--jsn'], /unknown option '--jsn' for baton ls; see baton ls --help/],
      [['ls', '--json=yes'], /--json takes no value/],
      [['new', 'terminal', '--nme', 'x'], /unknown option '--nme'/],
      [['new', 'terminal', '--name', 'a', '--name', 'b'], /--name is given twice; give it once/],
      [
        ['new', 'terminal', '--model', 'm'],
        /--model is for claude and codex sessions, not terminal/,
      ],
      [['new', 'claude', '--shell', '/bin/sh'], /--shell is for terminal sessions, not claude/],
      [['new', 'claude', '--env', 'NOEQUALS'], /--env takes KEY=VALUE/],
      [['new', 'codex', '--env', '1BAD=x'], /--env takes KEY=VALUE/],
      [['new', 'claude', '--binary='], /--binary: /],
      [['new', 'codex', '--model='], /--model: /],
      [['new', 'codex', '--resume', '../thread'], /--resume: a conversation id is letters/],
      [['new', 'claude', '--resume', 'a', '--resume', 'b'], /--resume is given twice/],
      [
        ['new', 'terminal', '--resume', 'x'],
        /--resume is for claude and codex sessions, not terminal/,
      ],
      [
        ['new', 'terminal', '--system-prompt', 'x'],
        /--system-prompt is for claude and codex sessions, not terminal/,
      ],
      [['new', 'codex', '--args'], /--args needs a value/],
      [['send', 'build', '--no-entr', 'hi'], /unknown option '--no-entr'/],
      [['tail', 's1', '--after'], /--after needs a value/],
      [['stop', 'a', 'b'], /unexpected argument 'b'/],
      [['attach', 'a', '--readonly'], /unknown option '--readonly'/],
      [['serve', '--durability', 'fast'], /--durability must be normal or full/],
    ];
    for (const [args, message] of cases) {
      const run = await baton(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });

  test('text that looks like an option still reaches send after --', async () => {
    // The server at BATON_URL is unreachable: parsing passed when the error is about reaching it.
    const run = await baton(['send', 'build', '--', '--not-an-option', '-n']);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /cannot reach baton/);
  });
});
