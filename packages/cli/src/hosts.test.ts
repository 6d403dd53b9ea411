import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostListing } from '@baton/protocol';
import { startTestServer, startWelcomedHost } from '@baton/server/testing';
import { CLEAN_ENV, runBaton } from './run-baton.test-helper.js';

test('baton hosts lists a relay host that has no session, and says when a server is no relay', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-cli-hosts-'));
  const relay = await startTestServer({ relay: true });
  const plain = await startTestServer();
  t.after(() => plain.stop());
  const { host, close } = await startWelcomedHost(relay, {
    name: 'attic',
    dataDir: join(home, 'host'),
  });
  t.after(async () => {
    await close();
    await relay.stop();
    rmSync(home, { recursive: true, force: true });
  });
  const baton = (url: string, token: string, ...args: string[]) =>
    runBaton(['hosts', '--url', url, '--token', token, ...args], {
      ...CLEAN_ENV,
      BATON_HOME: home,
    });

  const table = await baton(relay.url, relay.ownerToken);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^ID\s+NAME\s+STATUS\s+LAST SEEN\s+SESSIONS\s+KEY$/m);
  // KEY is the host's key fingerprint, the one `baton host` printed at its start.
  assert.ok(
    table.stdout
      .split('\n')
      .some(
        (line) => /\sattic\s+online\s+now\s+0\s+/.test(line) && line.endsWith(host.keyFingerprint),
      ),
    table.stdout,
  );

  const json = await baton(relay.url, relay.ownerToken, '--json');
  assert.equal(json.code, 0, json.stderr);
  const listed = JSON.parse(json.stdout) as HostListing[];
  assert.deepEqual(
    listed.map((h) => [h.name, h.online, h.sessions, h.keyFingerprint]),
    [['attic', true, 0, host.keyFingerprint]],
  );

  const notRelay = await baton(plain.url, plain.ownerToken);
  assert.equal(notRelay.code, 0, notRelay.stderr);
  assert.match(notRelay.stdout, /is not a relay/);
});
