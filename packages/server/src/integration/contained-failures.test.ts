import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { CloseCode } from '@baton/protocol';
import type { RunningServer } from '../server.js';
import type { Store } from '../storage/store.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';

describe('a failure while serving one subscriber fails that subscriber alone', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let a: ProtocolClient;
  let session: SessionInfo;
  before(async () => {
    server = await startTestServer();
    a = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    ({ session } = await a.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    }));
    await a.subscribe(session.id, 0);
    for (const id of ['i1', 'i2', 'i3'])
      await a.submit(session.id, id, { kind: 'terminal', data: id });
  });
  after(async () => {
    await a.close();
    await server.stop();
  });

  test('a replay whose store read fails closes only that connection with 1011; it resumes after reconnecting', async () => {
    // The one injected fault: the real SQLite store's next read fails as a disk error would.
    const store = (server.hub as unknown as { opts: { store: Store } }).opts.store;
    // The replay must come from the store: forget the recent frames a brief reconnect is served
    // from (RecentFrames), so that it reads the store.
    (server.hub.get(session.id) as unknown as { recent: { clear(): void } }).recent.clear();
    const readEvents = store.readEvents.bind(store);
    let failures = 0;
    store.readEvents = (...args) => {
      if (failures++ === 0) return Promise.reject(new Error('disk I/O error (injected)'));
      return readEvents(...args);
    };
    const b = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      b.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await b.subscribe(session.id, 0);
    const { code, reason } = await closed;
    assert.equal(code, CloseCode.InternalError);
    assert.match(reason, /replay of s_\w+ failed \(disk I\/O error \(injected\)\); reconnect/);

    // The other subscriber and the session are untouched.
    const ack = await a.submit(session.id, 'i4', { kind: 'terminal', data: 'i4' });
    await a.waitForSeq(session.id, ack.seq);
    assert.deepEqual(a.violations, []);

    // Reconnecting retries the read, which now succeeds: the whole log arrives in order.
    const again = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    await again.subscribe(session.id, 0);
    await again.waitForSeq(session.id, ack.seq);
    assert.deepEqual(again.violations, []);
    const inputs = again.logs
      .get(session.id)!
      .flatMap((e) => (e.type === 'input' ? [e.data.inputId] : []));
    assert.deepEqual(inputs, ['i1', 'i2', 'i3', 'i4']);
    await again.close();
  });
});
