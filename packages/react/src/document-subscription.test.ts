import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { BatonClient, type WebSocketConstructor } from '@baton/client';
import { idleRunnerFactory, startTestServer, waitUntil } from '@baton/server/testing';
import { documentSubscription } from './document-subscription.js';

/** Integration: real server, real WebSockets, real SQLite. */
test("useDocument's subscription reads the document and follows another device's writes", async (t) => {
  const server = await startTestServer({ runners: [idleRunnerFactory()] });
  t.after(() => server.stop());
  const connect = async () => {
    const c = new BatonClient({
      url: server.wsUrl,
      token: server.ownerToken,
      mode: 'tab',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    t.after(() => c.close());
    c.connect();
    await c.whenConnected(10_000);
    return c;
  };
  const writer = await connect();
  const reader = await connect();
  const session = await writer.createSession({ kind: 'claude' });
  await writer.documents.write(session.id, 'draft', { text: 'one' });

  const sub = documentSubscription(reader, session.id, 'draft');
  let renders = 0;
  const off = sub.subscribe(() => renders++);
  await waitUntil(() => sub.getSnapshot()?.fields['text'] === 'one', 'the first read');
  await writer.documents.write(session.id, 'draft', { text: 'two' });
  await waitUntil(() => sub.getSnapshot()?.fields['text'] === 'two', 'the change to follow');
  assert.ok(renders >= 2);
  off();
});
