import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { QUIET_TERMINAL, startTestServer } from '@baton/server/testing';
import { CLEAN_ENV, MAIN } from './run-baton.test-helper.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'terminal',
        name: `piped ${i} ${'x'.repeat(180)}`,
        config: QUIET_TERMINAL,
      }),
    });
    assert.equal(res.status, 201, await res.text());
  }
});
after(() => server.stop());

test('output larger than a pipe holds reaches a reader that starts late, whole', async () => {
  // The reader starts only after a while, so the pipe is full when the command is done: it must
  // wait for its output to leave rather than exit with the rest still in its own buffer.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(CLEAN_ENV)) delete env[k];
  const command = `"$0" "$1" ls --json --url "$2" --token "$3" | (sleep 1; cat)`;
  const child = spawn(
    '/bin/sh',
    ['-c', command, process.execPath, MAIN, server.url, server.ownerToken],
    { env },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, err);
  assert.ok(out.length > 64 * 1024, `${out.length} bytes: more than a pipe holds`);
  const listed = JSON.parse(out) as SessionInfo[];
  assert.equal(listed.filter((s) => s.name.startsWith('piped ')).length, 150);
});
