import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLEAN_ENV, MAIN } from './run-baton.test-helper.js';

/**
 * `baton serve | head`: the reader of stdout and stderr goes away while the server runs. The
 * server must keep serving, and stop cleanly on SIGTERM, although every line it writes from then
 * on fails with EPIPE (it used to turn each failure into an uncaught exception, log that to the
 * closed stderr, and spin on its own error without ever exiting).
 */
for (const format of ['text', 'json'] as const) {
  test(`serve outlives closed stdout and stderr and stops on SIGTERM (${format} logs)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-closed-output-'));
    const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: dir };
    for (const k of Object.keys(CLEAN_ENV)) delete env[k];
    env['BATON_HOME'] = dir;
    const child = spawn(
      process.execPath,
      [MAIN, 'serve', '--port', '0', '--data', join(dir, 'db'), '--log-format', format],
      { env },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /serving at (http:\/\/[^/]+)\//.exec(out);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      // Close the reading ends: every later write of the server fails with EPIPE.
      child.stdout.destroy();
      child.stderr.destroy();
      // Requests that make the server log (a refused sign-in is a warning) still get answers.
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${url}/api/sessions`, {
          headers: { authorization: 'Bearer wrong' },
        });
        assert.equal(res.status, 401);
        const health = await fetch(`${url}/api/health`);
        assert.equal(health.status, 200);
      }
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref()),
      ]);
      assert.equal(code, 0, 'baton serve exits 0 on SIGTERM after its output closed');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
