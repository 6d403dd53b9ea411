import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

const GUARD = new URL('./process-guard.js', import.meta.url).href;
const LOGGER = new URL('./logger.js', import.meta.url).href;

test('with the process guard a stray throw and an unhandled rejection are logged and the process lives on', async () => {
  // A real process: the test runner's own handlers would hide what the guard does.
  const script = `
    const { installProcessGuard } = await import(${JSON.stringify(GUARD)});
    const { createLogger } = await import(${JSON.stringify(LOGGER)});
    installProcessGuard(createLogger('info'));
    setTimeout(() => { throw new Error('thrown-from-a-timer'); }, 1);
    setTimeout(() => { void Promise.reject(new Error('rejected-with-nobody-listening')); }, 2);
    setTimeout(() => { process.stdout.write('still-alive'); process.exit(0); }, 50);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'still-alive');
  assert.match(stderr, /ERROR uncaught exception; baton keeps running .*thrown-from-a-timer/);
  assert.match(
    stderr,
    /ERROR unhandled promise rejection; baton keeps running .*rejected-with-nobody-listening/,
  );
});
