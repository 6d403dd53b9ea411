/**
 * The client commands run where better-sqlite3 and node-pty cannot load: the CLI runs with a
 * preload that makes both impossible to resolve (testing/block-native-modules.ts) against a real
 * server in this process. tests/pack proves the same from packed installs without them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '@baton/server';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const BLOCK = fileURLToPath(new URL('./testing/block-native-modules.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the client commands without the native modules', () => {
  let home: string;
  let server: RunningServer;

  /** `baton …` with better-sqlite3 and node-pty unloadable; stops once `until` shows in stdout. */
  const baton = (args: string[], until?: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', BLOCK, MAIN, ...args], {
        env: {
          ...process.env,
          BATON_HOME: join(home, 'cli'),
          BATON_URL: server.url,
          BATON_TOKEN: server.ownerToken,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (until && stdout.includes(until)) child.kill('SIGINT');
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`baton ${args.join(' ')} did not finish: ${stdout} ${stderr}`));
      }, 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'baton-client-only-'));
    server = await startServer({ dataDir: join(home, 'data'), port: 0, logLevel: 'silent' });
  });
  after(async () => {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('new, send, tail and ls work; serve says what is missing and exits 1', async () => {
    const created = await baton(['new', 'terminal', '--name', 'remote', '--shell', '/bin/sh']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    const sent = await baton(['send', 'remote', 'echo remote-$((40+2))']);
    assert.equal(sent.code, 0, sent.stderr);
    const tailed = await baton(['tail', id], 'remote-42');
    assert.match(tailed.stdout, /remote-42/);
    const listed = await baton(['ls']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /remote\s+terminal\s+running/);

    const served = await baton(['serve', '--port', '0', '--data', join(home, 'other')]);
    assert.equal(served.code, 1);
    assert.match(
      served.stderr,
      /baton serve needs the native module better-sqlite3, which is not installed/,
    );
    assert.match(served.stderr, /client commands/);
    assert.doesNotMatch(served.stderr, /\n\s+at /, 'one message, no stack trace');
  });
});
