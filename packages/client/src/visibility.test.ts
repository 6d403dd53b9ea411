import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedClient, startTestServer, tempDataDir, waitFor } from './testing/test-server.js';

/** Integration: real server, real WebSockets. */

test('setVisible tells the server whether this window looks at its sessions, across reconnects', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const client = await connectedClient(t, server);
  const session = await client.createSession({
    kind: 'terminal',
    config: { shell: '/bin/sh', args: ['-c', 'sleep 100000'] },
  });
  client.subscribe(session.id);
  const looking = () => server.hub.isLooking('owner', session.id);
  await waitFor('the subscribed, visible window to be looking', looking);

  client.setVisible(false);
  await waitFor('the hidden window not to be looking', () => !looking());

  // A new connection starts visible on the server; the client says hidden again before it
  // attaches, so the device is never counted as looking in between.
  await client.close();
  client.connect();
  await client.whenConnected(10_000);
  await waitFor(
    'the session to be attached again',
    () => [...server.hub.get(session.id).subscriptions.values()].length === 1,
  );
  assert.equal(looking(), false, 'still hidden after reconnecting');

  client.setVisible(true);
  await waitFor('the visible window to be looking again', looking);
});
