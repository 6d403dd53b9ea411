import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, waitUntil } from '../testing/test-server.js';

const attachedTo = (c: ProtocolClient, sessionId: string) => c.presence.get(sessionId) ?? [];

describe('presence and access', () => {
  test('join and leave are pushed with device, mode and label; goodbye leaves at once; a dead connection is dropped', async () => {
    const server = await startTestServer({ heartbeatMs: 200 });
    try {
      const tab = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      const { session } = await tab.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await tab.subscribe(session.id, 0);
      const panel = await ProtocolClient.connect(
        server.wsUrl,
        server.ownerToken,
        'sidepanel',
        {},
        undefined,
        { label: 'docs panel' },
      );
      await panel.subscribe(session.id, 0, true);
      const both = await waitUntil(
        () => attachedTo(tab, session.id).length === 2 && attachedTo(tab, session.id),
        'both windows in presence',
      );
      assert.deepEqual(both.map((a) => [a.mode, a.readOnly, a.label]).sort(), [
        ['sidepanel', true, 'docs panel'],
        ['tab', false, undefined],
      ]);
      assert.ok(
        both.every((a) => a.deviceId === 'owner'),
        'both windows are the same device',
      );
      await waitUntil(
        () => attachedTo(panel, session.id).length === 2,
        'the joiner to get the full list',
      );

      panel.send({ type: 'goodbye' });
      await waitUntil(() => attachedTo(tab, session.id).length === 1, 'goodbye to leave presence');

      // A client that stops answering pings is found dead within three heartbeats.
      const silent = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'mobile', {
        autoPong: false,
      });
      await silent.subscribe(session.id, 0);
      await waitUntil(
        () => attachedTo(tab, session.id).some((a) => a.mode === 'mobile'),
        'the silent client to join',
      );
      await waitUntil(
        () => attachedTo(tab, session.id).length === 1,
        'the dead connection to be dropped',
        5_000,
      );
      assert.ok(attachedTo(tab, session.id).every((a) => a.mode !== 'mobile'));
      await tab.close();
      silent.terminate();
    } finally {
      await server.stop();
    }
  });

  test('a read-only attachment can neither type, resize nor interrupt; the server refuses each clearly', async () => {
    const server = await startTestServer();
    try {
      const viewer = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      const { session } = await viewer.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await viewer.subscribe(session.id, 0, true);
      await assert.rejects(
        viewer.submit(session.id, 'ro-1', { kind: 'terminal', data: 'x' }),
        /read_only/,
      );
      await assert.rejects(
        viewer.request({ type: 'resize', sessionId: session.id, cols: 100, rows: 30 }),
        /read_only/,
      );
      await assert.rejects(
        viewer.request({ type: 'interrupt', sessionId: session.id }),
        /read_only/,
      );
      // Re-subscribing as a writer lifts it.
      await viewer.subscribe(session.id, viewer.lastSeq.get(session.id) ?? 0, false);
      const ack = await viewer.submit(session.id, 'rw-1', { kind: 'terminal', data: 'x' });
      assert.equal(ack.duplicate, false);
      await viewer.close();
    } finally {
      await server.stop();
    }
  });

  test('a revoked device is disconnected and cannot come back', async () => {
    const server = await startTestServer();
    try {
      const reg = await fetch(server.url + '/api/devices', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.ownerToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'lost phone' }),
      });
      const { deviceId, token } = (await reg.json()) as { deviceId: string; token: string };
      const phone = await ProtocolClient.connect(server.wsUrl, token, 'mobile');
      const closed = new Promise<number>((r) => phone.ws.once('close', (code) => r(code)));
      const del = await fetch(`${server.url}/api/devices/${deviceId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${server.ownerToken}` },
      });
      assert.equal(del.status, 200);
      assert.equal(await closed, 4403);
      await assert.rejects(ProtocolClient.connect(server.wsUrl, token), /unauthorized/);
    } finally {
      await server.stop();
    }
  });
});
