import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { PairingCreated, PairingRedeemed, PairingStatus, Role } from '@baton/protocol';
import { grantHash } from '../auth/grants.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

function api(server: Server) {
  const call = async <T>(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Headers }> => {
    const r = await fetch(server.url + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as T, headers: r.headers };
  };
  return {
    call,
    pair: (body: Record<string, unknown>, token = server.ownerToken) =>
      call<PairingCreated>('POST', '/api/pairings', token, body),
    redeem: (code: string, deviceName = 'phone') =>
      call<PairingRedeemed & { error: { code: string; message: string } }>(
        'POST',
        '/api/pairings/redeem',
        undefined,
        { code, deviceName },
      ),
    status: (id: string) => call<PairingStatus>('GET', `/api/pairings/${id}`, server.ownerToken),
    devices: async () =>
      (
        await call<{ devices: { id: string; name: string; role: Role; sessionScope?: string }[] }>(
          'GET',
          '/api/devices',
          server.ownerToken,
        )
      ).body.devices,
  };
}

type ErrorBody = { error: { code: string; message: string; requiredRole?: string } };

describe('pairing a device with a short code', () => {
  test('the owner gets a code, a fragment URL and a QR; the device redeems it once for its own token', async () => {
    const server = await startTestServer();
    const a = api(server);
    try {
      const created = await a.pair({ role: 'viewer', name: 'for the phone' }, server.ownerToken);
      assert.equal(created.status, 201);
      const p = created.body;
      assert.match(p.code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      assert.equal(p.role, 'viewer');
      assert.equal(p.name, 'for the phone');
      assert.ok(p.expiresAt > Date.now() && p.expiresAt <= Date.now() + 300_000);
      // The code rides in the fragment on the address the client used, never in the query.
      const url = new URL(p.url);
      assert.equal(url.origin, server.url);
      assert.equal(url.pathname, '/pair');
      assert.equal(url.search, '');
      assert.equal(new URLSearchParams(url.hash.slice(1)).get('code'), p.code);
      assert.match(p.qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
      assert.equal(p.fingerprint, undefined, 'no TLS, no fingerprint');
      assert.equal((await a.status(p.id)).body.state, 'waiting');

      // Typed by a person: lower case, no dash, spaces.
      const typed = ` ${p.code.toLowerCase().replace('-', ' ')} `;
      const redeemed = await a.redeem(typed, 'Pixel');
      assert.equal(redeemed.status, 201, JSON.stringify(redeemed.body));
      assert.equal(redeemed.body.role, 'viewer');
      assert.equal(redeemed.body.sessionScope, undefined);
      assert.match(redeemed.body.deviceToken, /^bd_/);

      const status = (await a.status(p.id)).body;
      assert.equal(status.state, 'paired');
      assert.deepEqual(status.device, { id: redeemed.body.deviceId, name: 'Pixel' });
      const listed = (await a.devices()).find((d) => d.id === redeemed.body.deviceId);
      assert.equal(listed?.name, 'Pixel');
      assert.equal(listed?.role, 'viewer');

      // Its own token signs in as a viewer.
      const phone = await ProtocolClient.connect(server.wsUrl, redeemed.body.deviceToken, 'mobile');
      const welcome = phone.frames.find((f) => f.type === 'welcome');
      assert.ok(welcome?.type === 'welcome');
      assert.equal(welcome.role, 'viewer');
      assert.equal(welcome.deviceId, redeemed.body.deviceId);
      await phone.close();

      // Spent: a replay is refused and creates nothing.
      const before = (await a.devices()).length;
      const replay = (await a.redeem(p.code)) as unknown as { status: number; body: ErrorBody };
      assert.equal(replay.status, 409);
      assert.equal(replay.body.error.code, 'already_used');
      assert.match(replay.body.error.message, /already used: ask for a new one/);
      assert.equal((await a.devices()).length, before);

      // The audit log has who paired whom, and the redeem by the new device; not the replay.
      await server.audit.flush({ bursts: true });
      const audit = (await (
        await fetch(`${server.url}/api/audit`, {
          headers: { authorization: `Bearer ${server.ownerToken}` },
        })
      ).json()) as { entries: { action: string; deviceId: string; detail?: { role?: string } }[] };
      const pairing = audit.entries.filter((e) => e.action === 'pair' || e.action === 'redeem');
      assert.deepEqual(
        pairing.map((e) => [e.action, e.deviceId, e.detail?.role]),
        [
          ['pair', 'owner', 'viewer'],
          ['redeem', redeemed.body.deviceId, 'viewer'],
        ],
      );
    } finally {
      await server.close();
    }
  });

  test('a code for one session gives a device that sees only that session', async () => {
    const server = await startTestServer();
    const a = api(server);
    try {
      const owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      const mk = () =>
        owner.request<{ session: { id: string } }>({ type: 'session.create', kind: 'terminal' });
      const one = (await mk()).session;
      const other = (await mk()).session;
      const created = await a.pair({ role: 'editor', sessionId: one.id, ttlSeconds: 60 });
      assert.equal(created.status, 201);
      assert.equal(created.body.sessionId, one.id);
      assert.ok(created.body.expiresAt <= Date.now() + 60_000);
      const redeemed = await a.redeem(created.body.code, 'tablet');
      assert.equal(redeemed.status, 201);
      assert.equal(redeemed.body.role, 'editor');
      assert.equal(redeemed.body.sessionScope, one.id);
      const sessions = await a.call<{ sessions: { id: string }[] }>(
        'GET',
        '/api/sessions',
        redeemed.body.deviceToken,
      );
      assert.deepEqual(
        sessions.body.sessions.map((s) => s.id),
        [one.id],
      );
      const hidden = await a.call<ErrorBody>(
        'GET',
        `/api/sessions/${other.id}`,
        redeemed.body.deviceToken,
      );
      assert.equal(hidden.status, 404);

      // A code for a session that does not exist is refused when asked for.
      const missing = await a.pair({ role: 'viewer', sessionId: 's_aaaaaaaaaaaaaaaaaaaa' });
      assert.equal(missing.status, 404);
      await owner.close();
    } finally {
      await server.close();
    }
  });

  test('an expired code is refused with expired, and its pairing says so', async () => {
    const server = await startTestServer();
    const a = api(server);
    try {
      const p = (await a.pair({ role: 'viewer', ttlSeconds: 1 })).body;
      // Wait for the condition (the server's clock passing the expiry), not a fixed time.
      await waitUntil(
        async () => (await a.status(p.id)).body.state === 'expired',
        'the code to expire',
        5_000,
      );
      const before = (await a.devices()).length;
      const r = (await a.redeem(p.code)) as unknown as { status: number; body: ErrorBody };
      assert.equal(r.status, 410);
      assert.equal(r.body.error.code, 'expired');
      assert.match(r.body.error.message, /expired: ask for a new one/);
      assert.equal((await a.devices()).length, before);
    } finally {
      await server.close();
    }
  });

  test('only the owner may pair: viewers, editors and one-session devices are forbidden', async () => {
    const server = await startTestServer();
    const a = api(server);
    try {
      for (const role of ['viewer', 'editor'] as const) {
        const dev = await a.call<{ token: string }>('POST', '/api/devices', server.ownerToken, {
          name: role,
          role,
        });
        // Escalation attempt: asking for an owner code.
        const r = (await a.pair({ role: 'owner' }, dev.body.token)) as unknown as {
          status: number;
          body: ErrorBody;
        };
        assert.equal(r.status, 403, role);
        assert.equal(r.body.error.code, 'forbidden');
        assert.equal(r.body.error.requiredRole, 'owner');
      }
      const anonymous = (await a.call<ErrorBody>('POST', '/api/pairings', undefined, {
        role: 'viewer',
      })) as { status: number; body: ErrorBody };
      assert.equal(anonymous.status, 401);
      // A one-session owner cannot pair devices for the whole server either.
      const owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
      const { session } = await owner.request<{ session: { id: string } }>({
        type: 'session.create',
        kind: 'terminal',
      });
      const scoped = await a.redeem(
        (await a.pair({ role: 'owner', sessionId: session.id })).body.code,
        'scoped',
      );
      const r = (await a.pair({ role: 'viewer' }, scoped.body.deviceToken)) as unknown as {
        status: number;
        body: ErrorBody;
      };
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, 'forbidden');
      await owner.close();
    } finally {
      await server.close();
    }
  });

  test('the pairing URL names an address another device can reach', async () => {
    const server = await startTestServer({ host: '0.0.0.0' });
    try {
      const pairVia = (host: string) =>
        new Promise<PairingCreated>((resolve, reject) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port: server.port,
              path: '/api/pairings',
              method: 'POST',
              headers: {
                host,
                authorization: `Bearer ${server.ownerToken}`,
                'content-type': 'application/json',
              },
            },
            (res) => {
              let text = '';
              res.on('data', (d: Buffer) => (text += d.toString()));
              res.on('end', () => resolve(JSON.parse(text) as PairingCreated));
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify({ role: 'viewer' }));
        });
      // Reached on a LAN address: that address.
      const lan = await pairVia(`192.168.1.50:${server.port}`);
      assert.equal(new URL(lan.url).origin, `http://192.168.1.50:${server.port}`);
      // Reached on loopback (the host's own CLI or browser): not loopback, which a phone cannot
      // use, but the machine's own address when it has one besides loopback.
      const external = Object.values(networkInterfaces())
        .flatMap((l) => l ?? [])
        .filter((a) => !a.internal && !a.address.startsWith('fe80:'));
      const local = new URL((await pairVia(`127.0.0.1:${server.port}`)).url);
      if (external.length > 0) assert.notEqual(local.hostname, '127.0.0.1');
      else assert.equal(local.hostname, '127.0.0.1');
      assert.equal(local.port, String(server.port));
    } finally {
      await server.close();
    }
  });

  test('the pairing URL uses the configured public address when there is one', async () => {
    const server = await startTestServer({ publicUrl: 'https://baton.example.net/' });
    try {
      const p = (await api(server).pair({ role: 'viewer' })).body;
      assert.equal(p.url.split('#')[0], 'https://baton.example.net/pair');
    } finally {
      await server.close();
    }
  });
});

describe('pairing refuses bad input', () => {
  test('malformed requests and codes get clear errors; nothing is stored', async () => {
    const server = await startTestServer();
    const a = api(server);
    try {
      for (const [body, field] of [
        [{ role: 'admin' }, /role/],
        [{}, /role/],
        [{ role: 'viewer', ttlSeconds: 301 }, /ttlSeconds/],
        [{ role: 'viewer', ttlSeconds: 0 }, /ttlSeconds/],
        [{ role: 'viewer', sessionId: 42 }, /sessionId/],
        [{ role: 'viewer', extra: true }, /extra/],
        [{ role: 'viewer', name: 'evil\u001b]0;x\u0007' }, /name|control/i],
      ] as const) {
        const r = (await a.pair(body)) as unknown as { status: number; body: ErrorBody };
        assert.equal(r.status, 400, JSON.stringify(body));
        // A body that fails its schema is `invalid_message`; a name with control characters
        // passes the schema and is refused by the name check with `bad_request`.
        assert.ok(['invalid_message', 'bad_request'].includes(r.body.error.code));
        assert.match(r.body.error.message, field);
      }
      const before = (await a.devices()).length;
      for (const code of [
        'x',
        'ABCDE-FGHJK-MNPQR',
        'bh_' + 'a'.repeat(43),
        '!!!!!-?????',
        '🙂'.repeat(10),
      ]) {
        const r = (await a.redeem(code)) as unknown as { status: number; body: ErrorBody };
        assert.equal(r.status, 404, code);
        assert.equal(r.body.error.code, 'not_found');
        assert.match(r.body.error.message, /pairing code/);
      }
      const notJson = await a.call<ErrorBody>('POST', '/api/pairings/redeem', undefined, '{nope');
      assert.equal(notJson.status, 400);
      const noName = await a.call<ErrorBody>('POST', '/api/pairings/redeem', undefined, {
        code: 'ABCDE-FGHJK',
      });
      assert.equal(noName.status, 400);
      assert.match(noName.body.error.message, /deviceName/);
      assert.equal((await a.devices()).length, before);
      const doc = (await (await fetch(server.url + '/api/openapi.json')).json()) as {
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      assert.ok(doc.paths['/api/pairings']?.['post']);
      assert.ok(doc.paths['/api/pairings/{id}']?.['get']);
      assert.deepEqual(doc.paths['/api/pairings/redeem']?.['post']?.security, []);
    } finally {
      await server.close();
    }
  });

  test('a handoff token is not a pairing code', async () => {
    const server = await startTestServer();
    const a = api(server);
    try {
      // A live, unspent handoff grant written straight into the server's database, in the
      // short form a pairing code has: redeeming it as a pairing code must not find it.
      const code = 'ABCDE-FGHJK';
      const db = new Database(join(server.dataDir, 'baton.db'));
      db.prepare(
        `INSERT INTO grants (code_hash, kind, role, session_scope, mode, created_by, created_at, expires_at, used_at, used_by)
         VALUES (?, 'handoff', 'owner', NULL, 'takeover', 'owner', ?, ?, NULL, NULL)`,
      ).run(grantHash(code), Date.now(), Date.now() + 60_000);
      db.close();
      const r = (await a.redeem(code)) as unknown as { status: number; body: ErrorBody };
      assert.equal(r.status, 404);
      assert.equal(r.body.error.code, 'not_found');
      // Still unspent: the refusal changed nothing.
      const db2 = new Database(join(server.dataDir, 'baton.db'), { readonly: true });
      const row = db2
        .prepare('SELECT used_at FROM grants WHERE code_hash = ?')
        .get(grantHash(code)) as {
        used_at: number | null;
      };
      db2.close();
      assert.equal(row.used_at, null);
    } finally {
      await server.close();
    }
  });

  test('a flood of redeem attempts is rate limited, and a good code in it changes nothing', async () => {
    const server = await startTestServer();
    const a = api(server);
    try {
      const p = (await a.pair({ role: 'viewer' })).body;
      const before = await a.devices();
      const statuses: number[] = [];
      let limited: { status: number; body: ErrorBody; headers: Headers } | undefined;
      for (let i = 0; i < 30; i++) {
        const r = (await a.redeem(`ZZZZZ-${String(i).padStart(5, '0')}`)) as unknown as {
          status: number;
          body: ErrorBody;
          headers: Headers;
        };
        statuses.push(r.status);
        if (r.status === 429) limited ??= r;
      }
      assert.ok(
        statuses.slice(0, 10).every((s) => s === 404),
        statuses.join(','),
      );
      assert.ok(
        statuses.slice(10).every((s) => s === 429),
        statuses.join(','),
      );
      assert.equal(limited?.body.error.code, 'rate_limited');
      assert.match(limited?.headers.get('retry-after') ?? '', /^\d+$/);
      // The right code inside the flood is refused too, and stays unspent.
      const good = (await a.redeem(p.code)) as unknown as { status: number; body: ErrorBody };
      assert.equal(good.status, 429);
      assert.deepEqual(await a.devices(), before);
      assert.equal((await a.status(p.id)).body.state, 'waiting');
    } finally {
      await server.close();
    }
  });
});
