import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { BatonClient } from './baton-client.js';
import { BatonError } from './baton-error.js';
import { createPairing, pairingStatus, redeemPairing } from './pairing-api.js';
import { startTestServer, tempDataDir } from './testing/test-server.js';
import type { WebSocketConstructor } from './web-socket-like.js';

test('pairs a device and the client knows its role and scope from welcome', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const owner = new BatonClient({
    url: server.wsUrl,
    token: server.ownerToken,
    mode: 'cli',
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
  assert.equal(owner.role, undefined, 'unknown before the first welcome');
  owner.connect();
  await owner.whenConnected();
  assert.equal(owner.role, 'owner');
  const session = await owner.createSession({ kind: 'terminal' });

  const p = await createPairing(server.url, server.ownerToken, {
    role: 'viewer',
    sessionId: session.id,
  });
  assert.equal((await pairingStatus(server.url, server.ownerToken, p.id)).state, 'waiting');
  const device = await redeemPairing(server.url, p.code, 'phone');
  assert.equal(device.sessionScope, session.id);
  const paired = await pairingStatus(server.url, server.ownerToken, p.id);
  assert.equal(paired.state, 'paired');
  assert.equal(paired.device?.name, 'phone');

  const phone = new BatonClient({
    url: server.wsUrl,
    token: device.deviceToken,
    mode: 'mobile',
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
  phone.connect();
  await phone.whenConnected();
  assert.equal(phone.role, 'viewer');
  assert.equal(phone.sessionScope, session.id);
  const state = phone.state;
  assert.ok(state.status === 'connected' && state.role === 'viewer');

  await assert.rejects(
    redeemPairing(server.url, p.code, 'again'),
    (e: BatonError) => e instanceof BatonError && e.code === 'already_used',
  );
  await assert.rejects(
    createPairing(server.url, device.deviceToken, { role: 'owner' }),
    (e: BatonError) => e instanceof BatonError && e.code === 'forbidden',
  );
  await phone.close();
  await owner.close();
});
