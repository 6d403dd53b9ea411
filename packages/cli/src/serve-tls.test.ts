import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { opensslFingerprint } from '@baton/server/testing';
import { MAIN, runBaton } from './run-baton.test-helper.js';

/** The real CLI, with `env` added to this process's environment. */
const baton = (args: string[], env: Record<string, string | undefined>) => runBaton(args, env);

test('baton serve --tls prints an https URL and the fingerprint openssl computes; CLI commands reach it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-tls-cli-'));
  const data = join(home, 'data');
  let child: ChildProcess | undefined;
  try {
    child = spawn(
      process.execPath,
      [MAIN, 'serve', '--tls', '--port', '0', '--data', data, '--log-level', 'warn'],
      { env: { ...process.env, BATON_HOME: home } },
    );
    let out = '';
    const printed = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no fingerprint printed: ${out}`)), 30_000);
      child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/fingerprint: \S+\n/.test(out)) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      child!.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    const url = /serving at (https:\/\/127\.0\.0\.1:\d+)\/#token=/.exec(printed)?.[1];
    assert.ok(url, printed);
    const fingerprint = /certificate SHA-256 fingerprint: (\S+)/.exec(printed)?.[1];
    const certFile = join(data, 'tls', 'cert.pem');
    assert.equal(fingerprint, await opensslFingerprint(certFile));

    // The printed hint works: a CLI command trusting the certificate lists the sessions.
    const ls = await baton(['ls', '--json'], {
      BATON_HOME: home,
      NODE_EXTRA_CA_CERTS: certFile,
    });
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout), []);
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  }
});

test('baton serve refuses TLS flags that do not fit together, and names a missing file', async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-tls-flags-'));
  const env = { BATON_HOME: home };
  const data = ['--port', '0', '--data', join(home, 'data')];
  try {
    const alone = await baton(['serve', ...data, '--tls-cert', 'c.pem'], env);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--tls-cert and --tls-key go together/);
    const both = await baton(['serve', ...data, '--tls', '--tls-cert', 'c', '--tls-key', 'k'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /with --tls-cert\/--tls-key give only those two/);
    const valued = await baton(['serve', ...data, '--tls=yes'], env);
    assert.equal(valued.code, 2);
    const missing = await baton(
      ['serve', ...data, '--tls-cert', join(home, 'nope.pem'), '--tls-key', join(home, 'k.pem')],
      env,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.pem does not exist; check the path given to --tls-cert/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
