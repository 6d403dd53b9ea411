import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Role, ServerMessage, SessionInfo } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, waitUntil } from '../testing/test-server.js';

type ErrorFrame = Extract<ServerMessage, { type: 'error' }>;

describe('roles are enforced by the server', () => {
  test('a viewer can read but every action it may not do is refused, naming the role needed', async () => {
    const server = await startTestServer();
    const http = (path: string, token: string, init: RequestInit = {}) =>
      fetch(server.url + path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const register = async (name: string, role: Role) =>
      (await (
        await http('/api/devices', server.ownerToken, {
          method: 'POST',
          body: JSON.stringify({ name, role }),
        })
      ).json()) as { deviceId: string; token: string; role: Role };
    try {
      const owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      const { session } = await owner.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await owner.subscribe(session.id, 0);
      const viewerCred = await register('wall screen', 'viewer');
      assert.equal(viewerCred.role, 'viewer');
      const editorCred = await register('laptop', 'editor');

      const viewer = await ProtocolClient.connect(server.wsUrl, viewerCred.token, 'mobile');
      const welcome = viewer.frames.find((f) => f.type === 'welcome');
      assert.equal(welcome?.type === 'welcome' && welcome.role, 'viewer');
      const listed = await viewer.request<{ sessions: SessionInfo[] }>({ type: 'sessions.watch' });
      assert.deepEqual(
        listed.sessions.map((s) => s.id),
        [session.id],
      );
      // It asked to write; the server attaches it read-only and says so in presence.
      await viewer.subscribe(session.id, 0, false);
      const seen = await waitUntil(
        () => owner.presence.get(session.id)?.find((a) => a.deviceId === viewerCred.deviceId),
        'the viewer in presence',
      );
      assert.equal(seen.role, 'viewer');
      assert.equal(seen.readOnly, true);
      const headBefore = server.hub.get(session.id).committedSeq;

      const refusedOverWs = async (frame: Record<string, unknown>): Promise<ErrorFrame> => {
        const rid = `r-${Math.random()}`;
        viewer.send({ ...frame, rid });
        const f = await viewer.waitFor((m) => m.type === 'error' && m.rid === rid);
        return f as ErrorFrame;
      };
      for (const [frame, needed] of [
        [{ type: 'resize', sessionId: session.id, cols: 90, rows: 20 }, 'editor'],
        [{ type: 'interrupt', sessionId: session.id }, 'editor'],
        [{ type: 'session.stop', sessionId: session.id }, 'editor'],
        [{ type: 'session.restart', sessionId: session.id }, 'editor'],
        [{ type: 'session.rename', sessionId: session.id, name: 'mine' }, 'editor'],
        [
          {
            type: 'permission.answer',
            sessionId: session.id,
            requestId: 'p',
            answer: { decision: 'allow' },
          },
          'editor',
        ],
        [{ type: 'session.create', kind: 'terminal' }, 'editor'],
        [{ type: 'session.delete', sessionId: session.id }, 'owner'],
      ] as const) {
        const err = await refusedOverWs(frame);
        assert.equal(err.code, 'forbidden', `${frame.type}: ${err.message}`);
        assert.equal(err.requiredRole, needed, frame.type);
        assert.match(err.message, new RegExp(`needs the ${needed} role; this device is a viewer`));
      }
      // An input is refused with its inputId, so the client's outbox can drop it.
      viewer.send({
        type: 'input',
        sessionId: session.id,
        inputId: 'v-1',
        payload: { kind: 'terminal', data: 'rm -rf /\r' },
      });
      const inputErr = (await viewer.waitFor(
        (m) => m.type === 'error' && m.inputId === 'v-1',
      )) as ErrorFrame;
      assert.equal(inputErr.code, 'forbidden');
      assert.equal(inputErr.requiredRole, 'editor');

      // The same over HTTP: 403 with the role needed.
      const httpInput = await http(`/api/sessions/${session.id}/inputs`, viewerCred.token, {
        method: 'POST',
        body: JSON.stringify({ inputId: 'v-2', payload: { kind: 'terminal', data: 'x' } }),
      });
      assert.equal(httpInput.status, 403);
      const body = (await httpInput.json()) as { error: { code: string; requiredRole: string } };
      assert.deepEqual([body.error.code, body.error.requiredRole], ['forbidden', 'editor']);
      assert.equal(
        (await http(`/api/sessions/${session.id}/stop`, viewerCred.token, { method: 'POST' }))
          .status,
        403,
      );
      assert.equal(
        (
          await http('/api/devices', viewerCred.token, {
            method: 'POST',
            body: JSON.stringify({ name: 'escalate', role: 'owner' }),
          })
        ).status,
        403,
        'a viewer cannot make itself a device of a higher role',
      );
      // Reading is allowed.
      assert.equal(
        (await http(`/api/sessions/${session.id}/events`, viewerCred.token)).status,
        200,
      );

      // Nothing the viewer tried changed the session.
      assert.equal(server.hub.get(session.id).committedSeq, headBefore);
      assert.equal(server.hub.get(session.id).info().status, 'running');
      assert.equal(server.hub.get(session.id).info().name, session.name);

      // An editor steers but cannot delete or manage devices.
      const editor = await ProtocolClient.connect(server.wsUrl, editorCred.token, 'tab');
      await editor.subscribe(session.id, 0);
      const ack = await editor.submit(session.id, 'e-1', { kind: 'terminal', data: 'x' });
      assert.equal(ack.duplicate, false);
      const del = await http(`/api/sessions/${session.id}`, editorCred.token, { method: 'DELETE' });
      assert.equal(del.status, 403);
      assert.equal(
        ((await del.json()) as { error: { requiredRole: string } }).error.requiredRole,
        'owner',
      );
      assert.equal(
        (await http(`/api/devices/${viewerCred.deviceId}`, editorCred.token, { method: 'DELETE' }))
          .status,
        403,
        'an editor cannot revoke',
      );
      await editor.request({ type: 'session.stop', sessionId: session.id });
      await viewer.close();
      await editor.close();
      await owner.close();
    } finally {
      await server.stop();
    }
  });
});
