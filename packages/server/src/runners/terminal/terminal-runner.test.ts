import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InputEvent } from '../runner.js';
import { RunnerError } from '../runner.js';
import { RecordingContext, waitFor } from './recording-context.test-helper.js';
import { TerminalRunner } from './terminal-runner.js';

let nextInput = 1;
function terminalInput(data: string): InputEvent {
  return {
    seq: 1,
    ts: Date.now(),
    type: 'input',
    data: { inputId: `in_${nextInput++}`, deviceId: 'dev', payload: { kind: 'terminal', data } },
  } as InputEvent;
}

describe('TerminalRunner (real PTY, recording context)', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('runs a shell, takes input, records output and the exit status', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-term-'));
    dirs.push(dir);
    const ctx = new RecordingContext({
      shell: '/bin/sh',
      cwd: dir,
      env: { BATON_TEST_VAR: 'hello-env' },
      cols: 100,
      rows: 30,
    });
    const runner = new TerminalRunner(ctx);
    await runner.start();
    assert.deepEqual(ctx.statuses[0], { status: 'running' });
    await runner.input(terminalInput('echo "$BATON_TEST_VAR:$TERM:$(pwd)"; exit 3\n'));
    await waitFor('exit', () => ctx.statuses.length === 2);
    assert.match(ctx.output(), new RegExp(`hello-env:xterm-256color:${dir}`));
    assert.deepEqual(ctx.statuses[1], { status: 'exited', extra: { exitCode: 3 } });
    assert.deepEqual(ctx.events[0]?.data, { cols: 100, rows: 30 });
    // Everything the shell printed was committed before the exit was recorded.
    assert.ok(ctx.events.every((e) => e.type !== 'session.status'));
    await assert.rejects(runner.input(terminalInput('x')), { code: 'session_not_running' });
    await runner.stop();
  });

  it('refuses chat messages', async () => {
    const ctx = new RecordingContext({ shell: '/bin/sh' });
    const runner = new TerminalRunner(ctx);
    await runner.start();
    const message = {
      seq: 2,
      ts: Date.now(),
      type: 'input',
      data: { inputId: 'in_m', deviceId: 'dev', payload: { kind: 'message', text: 'hi' } },
    } as InputEvent;
    await assert.rejects(runner.input(message), (err: unknown) => {
      return err instanceof RunnerError && err.code === 'bad_request';
    });
    await runner.stop();
  });

  it('rejects a missing working directory or shell with a clear message', async () => {
    await assert.rejects(
      new TerminalRunner(new RecordingContext({ cwd: '/nonexistent/baton' })).start(),
      /Working directory "\/nonexistent\/baton" does not exist/,
    );
    await assert.rejects(
      new TerminalRunner(new RecordingContext({ shell: 'no-such-shell-baton' })).start(),
      /Shell "no-such-shell-baton" was not found/,
    );
  });

  it('interrupt sends Ctrl-C to the foreground program', async () => {
    const ctx = new RecordingContext({ shell: '/bin/sh' });
    const runner = new TerminalRunner(ctx);
    await runner.start();
    // The foreground program prints INT-42 only when SIGINT reaches it. The markers are computed
    // by the shell, so the terminal's echo of the typed command (which shows `$((6*7))`) can
    // never match them.
    await runner.input(
      terminalInput(`sh -c 'trap "echo INT-$((6*7))" INT; echo READY-$((2+3)); sleep 30'\n`),
    );
    await waitFor('program ready', () => /READY-5/.test(ctx.output()));
    assert.doesNotMatch(ctx.output(), /INT-42/);
    await runner.interrupt();
    await waitFor('SIGINT trap output', () => /INT-42/.test(ctx.output()));
    await runner.stop();
  });

  it('resize resizes the PTY and logs terminal.resized in output order', async () => {
    const ctx = new RecordingContext({ shell: '/bin/sh' });
    const runner = new TerminalRunner(ctx);
    await runner.start();
    runner.resize(120, 40);
    await runner.input(terminalInput('stty size\n'));
    await waitFor('stty size', () => ctx.output().includes('40 120'));
    const resized = ctx.events.filter((e) => e.type === 'terminal.resized').map((e) => e.data);
    assert.deepEqual(resized, [
      { cols: 80, rows: 24 },
      { cols: 120, rows: 40 },
    ]);
    assert.throws(() => runner.resize(0, 10), /Invalid terminal size/);
    await runner.stop();
  });

  it('stop ends a shell that ignores SIGHUP and SIGTERM with SIGKILL', async () => {
    // Its `sleep` inherits the ignored signals, so neither ends before the SIGKILL.
    const ctx = new RecordingContext({
      shell: '/bin/sh',
      args: ['-c', "trap '' HUP TERM; echo ready; sleep 5"],
    });
    const runner = new TerminalRunner(ctx, { killAfterMs: 300 });
    await runner.start();
    await waitFor('ready', () => ctx.output().includes('ready'));
    await runner.stop();
    const exit = ctx.statuses.at(-1);
    assert.equal(exit?.status, 'exited');
    assert.equal(exit?.extra?.signal, 9);
  });

  it('stop ends an ordinary shell with SIGHUP', async () => {
    const ctx = new RecordingContext({
      shell: '/bin/bash',
      args: ['--norc', '-i'],
      env: { PS1: 'READY$ ' },
    });
    const runner = new TerminalRunner(ctx, { killAfterMs: 5000 });
    await runner.start();
    // An ordinary shell is one that has started: bash still starting up may not act on SIGHUP yet.
    await waitFor('the prompt', () => ctx.output().includes('READY$'));
    await runner.stop();
    const exit = ctx.statuses.at(-1);
    assert.equal(exit?.status, 'exited');
    assert.notEqual(exit?.extra?.signal, 9);
  });

  it('keeps PTY order and one emit at a time while commits are slow', async () => {
    const script = 'i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done';
    const ctx = new RecordingContext({ shell: '/bin/sh', args: ['-c', script] }, 20);
    const runner = new TerminalRunner(ctx);
    await runner.start();
    await waitFor('exit', () => ctx.statuses.length === 2, 30_000);
    const lines = ctx.output().match(/^line-\d+/gm) ?? [];
    assert.deepEqual(
      lines,
      Array.from({ length: 3000 }, (_, i) => `line-${i}`),
    );
    assert.equal(ctx.maxConcurrentEmits, 1);
    // Output accumulated while a commit was in flight, so far fewer events than lines.
    assert.ok(ctx.events.length < 1000, `${ctx.events.length} events`);
  });
});
