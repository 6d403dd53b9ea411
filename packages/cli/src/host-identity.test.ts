import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestServer, waitUntil } from '@baton/server/testing';
import { CLEAN_ENV, MAIN, runBaton } from './run-baton.test-helper.js';

test('baton host prints its key fingerprint, baton hosts shows the same, and a readable identity file is refused', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-cli-host-identity-'));
  const relay = await startTestServer({ relay: true });
  const pairing = await fetch(`${relay.url}/api/pairings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'owner' }),
  });
  const { code } = (await pairing.json()) as { code: string };
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home };
  for (const k of Object.keys(CLEAN_ENV)) if (k !== 'BATON_HOME') delete env[k];
  const dataDir = join(home, 'host');
  const child = spawn(
    process.execPath,
    [MAIN, 'host', '--relay', relay.url, '--code', code, '--name', 'attic', '--data', dataDir],
    { env },
  );
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await relay.stop();
    rmSync(home, { recursive: true, force: true });
  });
  const printed = await waitUntil(
    () => /key fingerprint ((?:[0-9a-f]{4} ){7}[0-9a-f]{4});/.exec(stdout)?.[1],
    'baton host prints its key fingerprint',
    30_000,
  );
  await waitUntil(() => stdout.includes('host attic is online'), 'the host is online', 30_000);

  const table = await runBaton(['hosts', '--url', relay.url, '--token', relay.ownerToken], {
    ...CLEAN_ENV,
    BATON_HOME: home,
  });
  assert.equal(table.code, 0, table.stderr);
  const row = table.stdout.split('\n').find((line) => /\sattic\s/.test(line));
  assert.ok(row?.endsWith(printed), `the relay lists the key the host printed:\n${table.stdout}`);

  child.kill('SIGTERM');
  await exited;
  chmodSync(join(dataDir, 'host-identity.json'), 0o640);
  const refused = await runBaton(['host', '--relay', relay.url, '--data', dataDir], {
    ...CLEAN_ENV,
    BATON_HOME: home,
  });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /others may read it \(mode 640\): run chmod 600 /);
});
