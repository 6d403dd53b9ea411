import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WEBSOCKET_PATH } from '@baton/protocol';
import { LogArchiver } from './canonical-log.js';
import { checkSession } from './check-history.js';
import { SdkClient } from './sdk-client.js';
import { ServerControl } from './server-control.js';

test('an SDK client records a history that checks out against the real log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-sdk-client-'));
  const server = await ServerControl.create(dir);
  let client: SdkClient | undefined;
  try {
    await server.start();
    const { session } = await server.api<{ session: { id: string } }>('POST', '/api/sessions', {
      kind: 'claude',
      name: 'sdk',
    });
    client = new SdkClient({
      name: 'sdk0',
      wsUrl: `ws://127.0.0.1:${server.port}${WEBSOCKET_PATH}`,
      token: server.token,
      sessionId: session.id,
      inputs: 20,
      window: 4,
      intervalMs: 5,
    });
    client.start();
    const deadline = Date.now() + 20_000;
    while (!client.done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(client.done, true, 'every input answered');
    assert.equal(client.acked, 20);
    const archiver = new LogArchiver(server, session.id);
    await archiver.poll();
    const log = archiver.log();
    while (client.position < log.headSeq && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const history = client.result();
    // Every event the SDK handed over is identical to the server's (same digest), in order.
    assert.deepEqual(checkSession(session.id, log.events, [history], log.unseen), []);
    const seen = history.segments[0]?.items.length ?? 0;
    assert.ok(seen >= log.headSeq, `saw ${seen} of ${log.headSeq} events`);
    assert.deepEqual(client.unexpectedErrors, []);
  } finally {
    client?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
