import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatonError } from './baton-error.js';
import { registerDevice } from './register-device.js';
import { startTestServer, tempDataDir } from './testing/test-server.js';

test('registers a device over HTTP and its token is accepted', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const device = await registerDevice(server.url, server.ownerToken, 'laptop', 'cli');
  assert.match(device.deviceId, /.+/);
  assert.match(device.token, /.+/);
  await assert.rejects(
    registerDevice(server.url, 'wrong-token', 'x'),
    (e: BatonError) => e instanceof BatonError && e.code === 'unauthorized',
  );
});
