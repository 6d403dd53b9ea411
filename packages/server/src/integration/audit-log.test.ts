import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEntry, AuditPage, SessionInfo } from '@baton/protocol';
import { callApi } from '../testing/http-api.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';

describe('the audit log', () => {
  test('one entry per control action, with device, mode, role and time; pages by after', async () => {
    const server = await startTestServer();
    try {
      const owner = (method: string, path: string, body?: unknown) =>
        callApi(server.url, server.ownerToken, method, path, body);
      const t0 = Date.now();
      const reg = (await owner('POST', '/api/devices', { name: 'laptop', role: 'editor' }))
        .body as unknown as { deviceId: string; token: string };
      const laptop = await ProtocolClient.connect(server.wsUrl, reg.token, 'cli');
      const { session } = await laptop.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        name: 'build',
        config: QUIET_TERMINAL,
      });
      await laptop.subscribe(session.id, 0);
      // Five keystrokes in a burst: one row.
      const seqs: number[] = [];
      for (const key of ['l', 's', ' ', '-', 'l'])
        seqs.push(
          (await laptop.submit(session.id, `k-${seqs.length}`, { kind: 'terminal', data: key }))
            .seq,
        );
      // A retry is not a new action.
      await laptop.submit(session.id, 'k-0', { kind: 'terminal', data: 'l' });
      await laptop.request({ type: 'session.rename', sessionId: session.id, name: 'build 2' });
      await laptop.request({ type: 'interrupt', sessionId: session.id });
      await laptop.request({ type: 'session.stop', sessionId: session.id });
      // Over HTTP: mode `http`.
      assert.equal(
        (await callApi(server.url, reg.token, 'POST', `/api/sessions/${session.id}/restart`))
          .status,
        200,
      );
      await owner('PATCH', `/api/devices/${reg.deviceId}`, { role: 'viewer' });
      assert.equal((await owner('DELETE', `/api/sessions/${session.id}`)).status, 200);
      await server.audit.flush({ bursts: true });

      const all = (await owner('GET', '/api/audit')).body as unknown as AuditPage;
      const rows = all.entries.map((e) => [e.action, e.deviceName, e.mode, e.role, e.sessionId]);
      assert.deepEqual(rows, [
        ['device.register', 'owner', 'http', 'owner', undefined],
        ['session.create', 'laptop', 'cli', 'editor', session.id],
        ['input', 'laptop', 'cli', 'editor', session.id],
        ['session.rename', 'laptop', 'cli', 'editor', session.id],
        ['session.interrupt', 'laptop', 'cli', 'editor', session.id],
        ['session.stop', 'laptop', 'cli', 'editor', session.id],
        ['session.restart', 'laptop', 'http', 'editor', session.id],
        ['device.role', 'owner', 'http', 'owner', undefined],
        ['session.delete', 'owner', 'http', 'owner', session.id],
      ]);
      const byAction = new Map(all.entries.map((e) => [e.action, e]));
      assert.deepEqual(byAction.get('input')?.detail, {
        kind: 'terminal',
        seqFrom: seqs[0],
        seqTo: seqs[4],
        count: 5,
        until: byAction.get('input')?.detail?.['until'],
      });
      assert.deepEqual(byAction.get('session.rename')?.detail, { from: 'build', to: 'build 2' });
      assert.deepEqual(byAction.get('device.role')?.detail, {
        device: reg.deviceId,
        name: 'laptop',
        from: 'editor',
        to: 'viewer',
      });
      for (const e of all.entries) {
        assert.ok(e.at >= t0 && e.at <= Date.now(), `${e.action} has its time`);
        assert.equal(e.deviceId, e.deviceName === 'owner' ? 'owner' : reg.deviceId);
      }
      assert.equal(all.more, false);
      assert.equal(all.next, all.entries.at(-1)!.id);

      // Paging by `after`: pages of 2 put together are the whole log, in order, no repeats.
      const paged: AuditEntry[] = [];
      let after = 0;
      for (;;) {
        const page = (await owner('GET', `/api/audit?after=${after}&limit=2`))
          .body as unknown as AuditPage;
        paged.push(...page.entries);
        after = page.next;
        if (!page.more) break;
      }
      assert.deepEqual(paged, all.entries);
      const tail = (await owner('GET', `/api/audit?after=${all.next}`))
        .body as unknown as AuditPage;
      assert.deepEqual([tail.entries, tail.next, tail.more], [[], all.next, false]);

      // Filters: by session, by device.
      const ofSession = (await owner('GET', `/api/audit?session=${session.id}`))
        .body as unknown as AuditPage;
      assert.equal(ofSession.entries.length, 7);
      const ofOwner = (await owner('GET', '/api/audit?device=owner')).body as unknown as AuditPage;
      assert.deepEqual(
        ofOwner.entries.map((e) => e.action),
        ['device.register', 'device.role', 'session.delete'],
      );
      // Bad queries are refused, saying what is wrong.
      for (const q of ['after=-1', 'limit=0', 'limit=5000', 'after=x', 'sort=asc']) {
        const r = await owner('GET', `/api/audit?${q}`);
        assert.equal(r.status, 400, q);
        assert.equal(r.body.error?.code, 'bad_request', q);
      }
      // Append-only: no route changes or deletes a row.
      for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) {
        const r = await owner(method, '/api/audit');
        assert.equal(r.status, 405, method);
      }
      await laptop.close();
    } finally {
      await server.stop();
    }
  });

  test('refused and failed actions are not recorded', async () => {
    const server = await startTestServer();
    try {
      const reg = (
        await callApi(server.url, server.ownerToken, 'POST', '/api/devices', {
          name: 'wall',
          role: 'viewer',
        })
      ).body as unknown as { deviceId: string; token: string };
      const owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      const { session } = await owner.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      const wall = await ProtocolClient.connect(server.wsUrl, reg.token, 'mobile');
      await wall.subscribe(session.id, 0);
      await assert.rejects(
        wall.request({ type: 'session.stop', sessionId: session.id }),
        /forbidden/,
      );
      await assert.rejects(
        wall.submit(session.id, 'w-1', { kind: 'terminal', data: 'x' }),
        /forbidden/,
      );
      await assert.rejects(
        owner.request({ type: 'session.rename', sessionId: 's_aaaaaaaaaaaaaaaaaaaa', name: 'x' }),
        /not_found/,
      );
      await server.audit.flush({ bursts: true });
      const page = (await callApi(server.url, server.ownerToken, 'GET', '/api/audit'))
        .body as unknown as AuditPage;
      assert.deepEqual(
        page.entries.map((e) => [e.action, e.mode]),
        [
          ['device.register', 'http'],
          ['session.create', 'tab'],
        ],
      );
      await owner.request({ type: 'session.stop', sessionId: session.id });
      await wall.close();
      await owner.close();
    } finally {
      await server.stop();
    }
  });

  test('the OpenAPI document describes the device, audit and settings routes', async () => {
    const server = await startTestServer();
    try {
      const doc = (await (await fetch(server.url + '/api/openapi.json')).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
      assert.deepEqual(methods('/api/devices'), ['get', 'post']);
      assert.deepEqual(methods('/api/devices/{id}'), ['delete', 'patch']);
      assert.deepEqual(methods('/api/devices/{id}/sessions/{sessionId}'), ['delete', 'put']);
      assert.deepEqual(methods('/api/audit'), ['get']);
      assert.deepEqual(methods('/api/settings'), ['get', 'put']);
    } finally {
      await server.stop();
    }
  });
});
