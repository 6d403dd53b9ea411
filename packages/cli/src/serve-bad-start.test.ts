import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLEAN_ENV, runBaton } from './run-baton.test-helper.js';

/**
 * A start that fails on this machine's own state says what is wrong and what to do in one line,
 * with no stack trace, and exits 1.
 */
test('a damaged database, a directory in place of it, or an address the machine lacks: one line each', async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-bad-start-'));
  const env = { ...CLEAN_ENV, BATON_HOME: home, HOME: home };
  const serve = (data: string, ...more: string[]) =>
    runBaton(['serve', '--port', '0', '--data', data, '--log-level', 'error', ...more], env);
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.doesNotMatch(stderr, /unexpected error|\n\s+at /);
    return lines[0]!;
  };
  try {
    const garbage = join(home, 'garbage');
    mkdirSync(garbage);
    writeFileSync(join(garbage, 'baton.db'), randomBytes(64 * 1024));
    const damaged = await serve(garbage);
    assert.equal(damaged.code, 1);
    assert.match(oneLine(damaged.stderr), /is damaged .*restore baton\.db from a backup/);

    const folder = join(home, 'folder');
    mkdirSync(join(folder, 'baton.db'), { recursive: true });
    const directory = await serve(folder);
    assert.equal(directory.code, 1);
    assert.match(
      oneLine(directory.stderr),
      /baton\.db is a directory where baton needs a file \(EISDIR\)/,
    );

    // 192.0.2.0/24 is for documentation: no machine has it.
    const elsewhere = await serve(join(home, 'fine'), '--host', '192.0.2.1');
    assert.equal(elsewhere.code, 1);
    assert.match(oneLine(elsewhere.stderr), /192\.0\.2\.1 is not an address of this machine/);

    // Read whole, these never ended.
    const endless = await serve(
      join(home, 'fine'),
      '--tls-cert',
      '/dev/zero',
      '--tls-key',
      '/dev/zero',
    );
    assert.equal(endless.code, 1);
    assert.match(
      oneLine(endless.stderr),
      /the certificate file \/dev\/zero is larger than 1 MiB, so it is not one; check the path given to --tls-cert/,
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
