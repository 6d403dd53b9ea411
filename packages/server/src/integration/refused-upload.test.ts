import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { callApi } from '../testing/http-api.js';
import { spawnServerProcess, type ServerProcess } from '../testing/server-process.js';
import { tempDataDir } from '../testing/test-server.js';

/**
 * A client that sends a whole body before it reads the answer, as `fetch` does, used to get a
 * broken connection instead of the 413 for an upload far over the limit: the server answered and
 * closed while the client was still writing (EPIPE; "fetch failed", which `baton send --file`
 * reported as an unreachable server). The server runs in its own process, as in use: sharing
 * this test's event loop would pace the two so that the race never shows.
 */
let server: ServerProcess;
const data = tempDataDir();
before(async () => {
  server = await spawnServerProcess(data.dir, 0, ['--agent', 'held']);
});
after(async () => {
  await server.stop();
  data.remove();
});

test('an upload far over the limit gets its 413 whole, every time', async () => {
  const { session } = (
    await callApi<{ session: SessionInfo }>(
      server.url,
      server.ownerToken,
      'POST',
      '/api/sessions',
      {
        kind: 'claude',
      },
    )
  ).body;
  // The default limit is 10 MiB: a phone photo a little over it, and a body four times over.
  for (const size of [12, 12, 12, 40].map((mib) => mib * 1024 * 1024)) {
    const res = await fetch(`${server.url}/api/sessions/${session.id}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.ownerToken}` },
      body: new Uint8Array(size),
    });
    assert.equal(res.status, 413, `${size} bytes`);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'attachment_too_large');
    assert.match(body.error.message, /the limit is 10 MiB/);
  }
  const health = await fetch(`${server.url}/api/health`);
  assert.equal(health.status, 200, 'the server goes on');
});
