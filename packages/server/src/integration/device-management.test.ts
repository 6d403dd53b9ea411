import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeviceListing, Role, ServerMessage, SessionInfo } from '@baton/protocol';
import { callApi } from '../testing/http-api.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

type DeviceChanged = Extract<ServerMessage, { type: 'device.changed' }>;
type ErrorFrame = Extract<ServerMessage, { type: 'error' }>;

describe('device management', () => {
  test('escalation attempts are refused with the right error and change nothing stored', async () => {
    const data = tempDataDir();
    let server = await startTestServer({ dataDir: data.dir });
    try {
      const api = (token: string, method: string, path: string, body?: unknown) =>
        callApi(server.url, token, method, path, body);
      const owner = server.ownerToken;
      const register = async (name: string, role: Role) =>
        (await api(owner, 'POST', '/api/devices', { name, role })).body as unknown as {
          deviceId: string;
          token: string;
        };
      const host = await register('host', 'owner');
      const laptop = await register('laptop', 'editor');
      const phone = await register('phone', 'viewer');
      const list = async () =>
        ((await api(owner, 'GET', '/api/devices')).body as unknown as { devices: DeviceListing[] })
          .devices;
      const before = JSON.stringify(await list());

      const refused = async (
        token: string,
        method: string,
        path: string,
        body: unknown,
        status: number,
        code: string,
        requiredRole?: string,
      ) => {
        const r = await api(token, method, path, body);
        assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error?.code, code, `${method} ${path}`);
        if (requiredRole) assert.equal(r.body.error?.requiredRole, requiredRole);
        return r.body.error!.message;
      };
      // A viewer pairing (registering) a device, even a viewer.
      await refused(
        phone.token,
        'POST',
        '/api/devices',
        { name: 'x', role: 'viewer' },
        403,
        'forbidden',
        'owner',
      );
      // An editor revoking the owner, or anyone; changing anyone's role or name.
      await refused(
        laptop.token,
        'DELETE',
        '/api/devices/owner',
        undefined,
        403,
        'forbidden',
        'owner',
      );
      await refused(
        laptop.token,
        'DELETE',
        `/api/devices/${host.deviceId}`,
        undefined,
        403,
        'forbidden',
        'owner',
      );
      await refused(
        laptop.token,
        'PATCH',
        `/api/devices/${phone.deviceId}`,
        { role: 'editor' },
        403,
        'forbidden',
        'owner',
      );
      await refused(
        phone.token,
        'PATCH',
        `/api/devices/${laptop.deviceId}`,
        { name: 'mine' },
        403,
        'forbidden',
        'owner',
      );
      await refused(
        laptop.token,
        'PUT',
        `/api/devices/${phone.deviceId}/sessions/s_x`,
        { role: 'viewer' },
        403,
        'forbidden',
        'owner',
      );
      // A device changing its own role: up, down, or together with a rename; owners too.
      const own = await refused(
        laptop.token,
        'PATCH',
        `/api/devices/${laptop.deviceId}`,
        { role: 'owner' },
        403,
        'forbidden',
      );
      assert.match(own, /own role/);
      await refused(
        phone.token,
        'PATCH',
        `/api/devices/${phone.deviceId}`,
        { name: 'p', role: 'editor' },
        403,
        'forbidden',
      );
      await refused(
        host.token,
        'PATCH',
        `/api/devices/${host.deviceId}`,
        { role: 'viewer' },
        403,
        'forbidden',
      );
      // The built-in owner cannot be revoked, demoted or renamed, even by an owner.
      assert.match(
        await refused(owner, 'DELETE', '/api/devices/owner', undefined, 403, 'forbidden'),
        /built-in owner/,
      );
      await refused(
        host.token,
        'PATCH',
        '/api/devices/owner',
        { role: 'viewer' },
        403,
        'forbidden',
      );
      // Unknown roles, unknown ids, empty patches, unknown fields (a body that does not match
      // its schema is `invalid_message`, as everywhere in the API).
      await refused(
        owner,
        'PATCH',
        `/api/devices/${phone.deviceId}`,
        { role: 'admin' },
        400,
        'invalid_message',
      );
      await refused(owner, 'PATCH', `/api/devices/${phone.deviceId}`, {}, 400, 'invalid_message');
      await refused(
        owner,
        'PATCH',
        `/api/devices/${phone.deviceId}`,
        { role: 'editor', admin: true },
        400,
        'invalid_message',
      );
      await refused(owner, 'PATCH', '/api/devices/d_nope', { role: 'viewer' }, 404, 'not_found');
      await refused(owner, 'DELETE', '/api/devices/d_nope', undefined, 404, 'not_found');
      await refused(
        owner,
        'PUT',
        `/api/devices/${phone.deviceId}/sessions/s_nope`,
        { role: 'viewer' },
        404,
        'not_found',
      );
      await refused(
        owner,
        'PATCH',
        `/api/devices/${phone.deviceId}`,
        { name: 'bad\u001b[2J' },
        400,
        'bad_request',
      );
      // A viewer reads no audit log, nor changes who may.
      await refused(phone.token, 'GET', '/api/audit', undefined, 403, 'forbidden', 'owner');
      await refused(
        laptop.token,
        'PUT',
        '/api/settings',
        { auditReadRole: 'viewer' },
        403,
        'forbidden',
        'owner',
      );
      await refused(
        owner,
        'PUT',
        '/api/settings',
        { auditReadRole: 'root' },
        400,
        'invalid_message',
      );

      assert.equal(JSON.stringify(await list()), before, 'nothing changed');

      // What a device may do to itself: rename.
      const renamed = await api(phone.token, 'PATCH', `/api/devices/${phone.deviceId}`, {
        name: 'kitchen phone',
      });
      assert.equal(renamed.status, 200);
      // The owner opens the audit log to viewers; then the viewer reads it.
      assert.equal(
        (await api(owner, 'PUT', '/api/settings', { auditReadRole: 'viewer' })).status,
        200,
      );
      assert.equal((await api(phone.token, 'GET', '/api/audit')).status, 200);
      assert.deepEqual((await api(phone.token, 'GET', '/api/settings')).body, {
        auditReadRole: 'viewer',
      });

      // After a restart, the store holds exactly what was allowed.
      await server.close();
      server = await startTestServer({ dataDir: data.dir });
      const after = await list();
      const byId = new Map(after.map((d) => [d.id, d]));
      assert.deepEqual(
        [byId.get(phone.deviceId)?.name, byId.get(phone.deviceId)?.role],
        ['kitchen phone', 'viewer'],
      );
      assert.equal(byId.get(laptop.deviceId)?.role, 'editor');
      assert.equal(byId.get(host.deviceId)?.role, 'owner');
      assert.equal(byId.get('owner')?.builtIn, true);
      assert.equal(after.length, 4, 'the built-in owner and three devices; none added');
      assert.equal(
        (await api(phone.token, 'GET', '/api/audit')).status,
        200,
        'the setting is kept',
      );
    } finally {
      await server.close();
      data.remove();
    }
  });

  test('a role change applies to open sockets at once: device.changed, presence, refused input', async () => {
    const server = await startTestServer();
    try {
      const api = (method: string, path: string, body?: unknown) =>
        callApi(server.url, server.ownerToken, method, path, body);
      const reg = (await api('POST', '/api/devices', { name: 'laptop', role: 'editor' }))
        .body as unknown as { deviceId: string; token: string };
      const owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      const { session } = await owner.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await owner.subscribe(session.id, 0);
      const laptop = await ProtocolClient.connect(server.wsUrl, reg.token, 'desktop');
      const second = await ProtocolClient.connect(server.wsUrl, reg.token, 'cli');
      await laptop.subscribe(session.id, 0);
      await laptop.submit(session.id, 'l-1', { kind: 'terminal', data: 'a' });
      const inPresence = (role: Role, readOnly: boolean) =>
        waitUntil(
          () =>
            owner.presence
              .get(session.id)
              ?.find(
                (a) =>
                  a.connectionId === laptop.connectionId &&
                  a.role === role &&
                  a.readOnly === readOnly,
              ),
          `the laptop as ${role}${readOnly ? ' (read-only)' : ''} in presence`,
        );
      await inPresence('editor', false);

      // Demoted to viewer.
      const demoted = await api('PATCH', `/api/devices/${reg.deviceId}`, { role: 'viewer' });
      assert.equal(demoted.status, 200);
      assert.equal((demoted.body as unknown as { device: DeviceListing }).device.role, 'viewer');
      for (const c of [laptop, second]) {
        const changed = (await c.waitFor((f) => f.type === 'device.changed')) as DeviceChanged;
        assert.deepEqual(
          [changed.deviceId, changed.role, changed.name, changed.sessionRoles],
          [reg.deviceId, 'viewer', 'laptop', {}],
        );
      }
      // Right after: the next input is refused by role, whatever the attachment said.
      laptop.send({
        type: 'input',
        sessionId: session.id,
        inputId: 'l-2',
        payload: { kind: 'terminal', data: 'b' },
      });
      const err = (await laptop.waitFor(
        (f) => f.type === 'error' && f.inputId === 'l-2',
      )) as ErrorFrame;
      assert.deepEqual([err.code, err.requiredRole], ['forbidden', 'editor']);
      // Every subscriber's presence shows the new role and a read-only attachment.
      await inPresence('viewer', true);

      // Promoted back: writable again (it never asked to watch read-only).
      await api('PATCH', `/api/devices/${reg.deviceId}`, { role: 'editor' });
      await inPresence('editor', false);
      await laptop.submit(session.id, 'l-3', { kind: 'terminal', data: 'c' });

      // Narrowed on this one session: same effect there, with the session role announced.
      const narrowed = await api('PUT', `/api/devices/${reg.deviceId}/sessions/${session.id}`, {
        role: 'viewer',
      });
      assert.equal(narrowed.status, 200);
      await laptop.waitFor(
        (f) => f.type === 'device.changed' && f.sessionRoles[session.id] === 'viewer',
      );
      await inPresence('viewer', true);
      await assert.rejects(
        laptop.submit(session.id, 'l-4', { kind: 'terminal', data: 'd' }),
        /forbidden/,
      );
      const listed = (
        (await api('GET', '/api/devices')).body as unknown as { devices: DeviceListing[] }
      ).devices.find((d) => d.id === reg.deviceId)!;
      assert.deepEqual(listed.sessionRoles, { [session.id]: 'viewer' });
      assert.equal(listed.online, 2);
      assert.deepEqual([...listed.modes].sort(), ['cli', 'desktop']);
      // The narrowing removed: writable again.
      assert.equal(
        (await api('DELETE', `/api/devices/${reg.deviceId}/sessions/${session.id}`)).status,
        200,
      );
      await inPresence('editor', false);
      await laptop.submit(session.id, 'l-5', { kind: 'terminal', data: 'e' });

      // A rename reaches the device and presence too.
      await api('PATCH', `/api/devices/${reg.deviceId}`, { name: 'work laptop' });
      await laptop.waitFor((f) => f.type === 'device.changed' && f.name === 'work laptop');
      await waitUntil(
        () =>
          owner.presence
            .get(session.id)
            ?.find((a) => a.connectionId === laptop.connectionId && a.deviceName === 'work laptop'),
        'the new name in presence',
      );

      // Revoked: both sockets close with 4403 at once, and the audit log has it.
      const closed = [laptop, second].map(
        (c) => new Promise<number>((r) => c.ws.once('close', (code) => r(code))),
      );
      assert.equal((await api('DELETE', `/api/devices/${reg.deviceId}`)).status, 200);
      assert.deepEqual(await Promise.all(closed), [4403, 4403]);
      // Offline now, the modes it was seen in are remembered (most recent first).
      const gone = await waitUntil(async () => {
        const d = (
          (await api('GET', '/api/devices')).body as unknown as { devices: DeviceListing[] }
        ).devices.find((x) => x.id === reg.deviceId)!;
        return d.online === 0 && d;
      }, 'the revoked device offline');
      assert.deepEqual([gone.revoked, gone.modes], [true, ['cli', 'desktop']]);
      await server.audit.flush();
      const audit = (await api('GET', `/api/audit?device=owner`)).body as unknown as {
        entries: { action: string; detail?: Record<string, unknown> }[];
      };
      const revoke = audit.entries.find((e) => e.action === 'device.revoke');
      assert.deepEqual(revoke?.detail, { device: reg.deviceId, name: 'work laptop' });
      assert.deepEqual(
        audit.entries.map((e) => e.action).filter((a) => a.startsWith('device.')),
        [
          'device.register',
          'device.role',
          'device.role',
          'device.session-role',
          'device.session-role',
          'device.rename',
          'device.revoke',
        ],
      );
      assert.deepEqual(owner.violations, []);
      await owner.close();
    } finally {
      await server.stop();
    }
  });
});
