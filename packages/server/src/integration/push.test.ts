import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, test } from 'node:test';
import type { LogEvent, Role, SessionInfo } from '@baton/protocol';
import type { PushSent } from '../push/push-options.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { promptingRunnerFactory } from '../testing/prompting-runner-factory.js';
import { TestPushService, type PushDelivery } from '../testing/test-push-service.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';
import { verifyVapid } from '../testing/vapid-jwt.js';
import { SubscriptionKeys } from '../testing/web-push-decrypt.js';

const SECRET = 'echo top-secret-value';

interface SubscriptionView {
  id: string;
  prefs: Record<string, boolean>;
  keys?: unknown;
}

/** The fields of the API's answers this test reads. */
interface Answer {
  publicKey?: string;
  subscription?: SubscriptionView;
  subscriptions?: SubscriptionView[];
  error?: { code: string; message: string };
  deviceId?: string;
  token?: string;
}

interface Notification {
  kind: string;
  title: string;
  body: string;
  sessionId: string;
  url: string;
}

// Web Push end to end: the server encrypts for each subscription's keys and signs with its
// VAPID key; a push service on 127.0.0.1 receives what it sends, and the test decrypts it as
// RFC 8291 / RFC 8188 say (with node:crypto, not a Web Push library) and verifies the JWT.
describe('Web Push notifications', () => {
  let service: TestPushService;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const sent: PushSent[] = [];
  let publicKey = '';

  const http = async (path: string, token: string, method = 'GET', body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Answer };
  };
  const register = async (name: string, role: Role) =>
    (await http('/api/devices', server.ownerToken, 'POST', { name, role })).json as Required<
      Pick<Answer, 'deviceId' | 'token'>
    >;
  /** A device with a browser subscription of its own keys at the push service. */
  const subscribed = async (name: string, role: Role, prefs: Record<string, boolean> = {}) => {
    const device = await register(name, role);
    const keys = new SubscriptionKeys();
    const r = await http('/api/push/subscriptions', device.token, 'POST', {
      subscription: { endpoint: service.endpoint(name), expirationTime: null, keys: keys.toJSON() },
      prefs,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return { ...device, keys, subscriptionId: r.json.subscription!.id };
  };
  /** Decrypts a delivery and checks its VAPID signature and headers. */
  const open = (d: PushDelivery, keys: SubscriptionKeys): Notification => {
    assert.equal(d.headers['content-encoding'], 'aes128gcm');
    assert.match(String(d.headers['ttl']), /^\d+$/);
    const claims = verifyVapid(String(d.headers['authorization']), publicKey);
    assert.equal(claims.aud, service.origin, 'the JWT audience is the push service origin');
    assert.equal(claims.sub, 'mailto:ops@example.com');
    const now = Date.now() / 1000;
    assert.ok(claims.exp > now && claims.exp <= now + 24 * 3600, 'expires within 24 hours');
    const text = keys.decrypt(d.body).toString('utf8');
    assert.ok(!text.includes('top-secret-value'), 'no tool input in a notification');
    return JSON.parse(text) as Notification;
  };

  before(async () => {
    service = await TestPushService.start((path) => (path === '/push/gone' ? 410 : undefined));
    server = await startTestServer({
      runners: [promptingRunnerFactory('claude', SECRET)],
      push: { enabled: true, subject: 'mailto:ops@example.com', ca: service.ca },
      onPushSent: (s) => sent.push(s),
    });
    const key = await http('/api/push/key', server.ownerToken);
    assert.equal(key.status, 200);
    publicKey = key.json.publicKey!;
    assert.equal(Buffer.from(publicKey, 'base64url').length, 65);
  });
  after(async () => {
    await server?.stop();
    await service?.close();
  });

  test('a waiting permission prompt reaches a device not looking at the session, decrypted as RFC 8291 says; a looking device and a disabled kind get none', async () => {
    const phone = await subscribed('phone', 'editor');
    const laptop = await subscribed('laptop', 'editor');
    const tablet = await subscribed('tablet', 'viewer', { permission: false });
    const gone = await subscribed('gone', 'viewer');

    const owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    const { session } = await owner.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
      name: 'refactor',
    });
    await owner.subscribe(session.id, 0);
    // The laptop has the session open in a visible window: it is looking.
    const laptopWs = await ProtocolClient.connect(server.wsUrl, laptop.token, 'tab');
    await laptopWs.subscribe(session.id, 0);
    await laptopWs.request({ type: 'visibility', visible: true });

    await owner.submit(session.id, 'i1', { kind: 'message', text: 'clean up' });
    const asked = await owner.waitFor(
      (f) => f.type === 'event' && f.event.type === 'agent.permission.requested',
    );
    // Every notification the prompt causes was started in its commit callback, before the
    // owner saw the event: once they are all answered, nothing else is on its way.
    await server.pushIdle();

    assert.equal(phone.keys && service.to('phone').length, 1);
    const note = open(service.to('phone')[0]!, phone.keys);
    assert.deepEqual(
      { kind: note.kind, sessionId: note.sessionId, url: note.url },
      { kind: 'permission', sessionId: session.id, url: `/s/${session.id}` },
    );
    assert.match(note.title, /refactor is waiting for you/);
    assert.match(note.body, /Allow Bash\?/);
    assert.equal(service.to('phone')[0]!.headers['urgency'], 'high');
    assert.equal(service.to('laptop').length, 0, 'the looking laptop got nothing');
    assert.equal(service.to('tablet').length, 0, 'the tablet turned permission prompts off');
    assert.equal(service.to('gone').length, 1, 'the gone endpoint was tried');

    // The push service said 410 Gone: that subscription was removed.
    const goneList = await http('/api/push/subscriptions', gone.token);
    assert.deepEqual(goneList.json.subscriptions!, []);
    assert.deepEqual(
      sent.map((s) => [s.deviceId, s.kind, s.status]).sort(),
      [
        [gone.deviceId, 'permission', 410],
        [phone.deviceId, 'permission', 201],
      ].sort(),
    );

    // The laptop's window goes to the background: it is no longer looking, and hears of the
    // end of the turn, as does the tablet (turn ends are on for it).
    await laptopWs.request({ type: 'visibility', visible: false });
    const requestId = (asked as { event: LogEvent & { type: 'agent.permission.requested' } }).event
      .data.requestId;
    await owner.request({
      type: 'permission.answer',
      sessionId: session.id,
      requestId,
      answer: { decision: 'allow' },
    });
    await owner.waitFor((f) => f.type === 'event' && f.event.type === 'agent.turn.ended');
    await server.pushIdle();
    const ended = (name: string, keys: SubscriptionKeys) => {
      const got = service.to(name).map((d) => open(d, keys));
      return got.filter((n) => n.kind === 'turnEnded');
    };
    assert.equal(ended('laptop', laptop.keys).length, 1);
    assert.equal(ended('tablet', tablet.keys).length, 1);
    assert.equal(ended('phone', phone.keys).length, 1);
    assert.equal(service.to('gone').length, 1, 'a removed subscription gets nothing more');
    await laptopWs.close();
    await owner.close();
  });

  test('a terminal that exits and a session that fails notify devices that want it', async () => {
    const watcher = await subscribed('watcher', 'viewer', { turnEnded: false });
    const quiet = await subscribed('quiet', 'viewer', {
      terminalExited: false,
      sessionFailed: false,
    });
    const owner = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab');
    await owner.request({ type: 'sessions.watch' });
    const { session } = await owner.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      name: 'build',
      config: { shell: '/bin/sh', args: ['-c', 'exit 3'] },
    });
    await waitUntil(
      () => server.hub.get(session.id).info().status === 'exited',
      'the terminal to exit',
    );
    // Whether creating it answers an error or the session, the session ends up failed.
    await owner
      .request({
        type: 'session.create',
        kind: 'claude',
        name: 'doomed',
        config: { model: 'fail' },
      })
      .catch(() => undefined);
    await waitUntil(
      () => server.hub.list().find((s) => s.name === 'doomed')?.status === 'failed',
      'the failed session',
    );
    await server.pushIdle();
    const got = service.to('watcher').map((d) => open(d, watcher.keys));
    const exited = got.find((n) => n.kind === 'terminalExited');
    assert.equal(exited?.sessionId, session.id);
    assert.match(exited?.body ?? '', /exited with code 3/);
    assert.ok(got.some((n) => n.kind === 'sessionFailed' && n.title === 'doomed failed'));
    assert.equal(service.to('quiet').length, 0, `${quiet.deviceId} turned both kinds off`);
    await owner.close();
  });

  test('a device manages only its own subscriptions; bad bodies are refused; revoking drops them', async () => {
    const mine = await subscribed('mine', 'viewer');
    const other = await register('other', 'viewer');
    const path = `/api/push/subscriptions/${mine.subscriptionId}`;
    for (const method of ['PATCH', 'DELETE']) {
      const r = await http(path, other.token, method, { prefs: { turnEnded: false } });
      assert.equal(r.status, 404, `${method} of another device's subscription`);
      assert.equal(r.json.error!.code, 'not_found');
    }
    const patched = await http(path, mine.token, 'PATCH', { prefs: { turnEnded: false } });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.json.subscription!.prefs, {
      permission: true,
      turnEnded: false,
      terminalExited: true,
      sessionFailed: true,
    });
    const listed = await http('/api/push/subscriptions', mine.token);
    assert.equal(listed.json.subscriptions!.length, 1);
    assert.equal(listed.json.subscriptions![0]?.keys, undefined, 'keys are not shown back');
    assert.deepEqual((await http('/api/push/subscriptions', other.token)).json.subscriptions!, []);

    const keys = new SubscriptionKeys().toJSON();
    const bad: [unknown, RegExp][] = [
      [{ subscription: { endpoint: 'http://127.0.0.1:1/x', keys } }, /https URL/],
      [
        { subscription: { endpoint: 'https://push.example/x', keys: { ...keys, p256dh: 'x' } } },
        /p256dh/,
      ],
      // The right length and alphabet, but 65 zero bytes: no point on the curve.
      [
        {
          subscription: {
            endpoint: 'https://push.example/x',
            keys: { ...keys, p256dh: 'A'.repeat(87) },
          },
        },
        /p256dh is not a P-256 public key/,
      ],
      [
        { subscription: { endpoint: 'https://push.example/x', keys: { ...keys, auth: '!!' } } },
        /auth/,
      ],
      [
        { subscription: { endpoint: 'https://push.example/x', keys }, prefs: { loud: true } },
        /loud|unrecognized/i,
      ],
      [{}, /subscription/],
    ];
    for (const [body, message] of bad) {
      const r = await http('/api/push/subscriptions', mine.token, 'POST', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.json.error!.message, message);
    }
    const badPatch = await http(path, mine.token, 'PATCH', { prefs: { permission: 'yes' } });
    assert.equal(badPatch.status, 400);
    assert.equal((await http('/api/push/subscriptions', 'bd_nobody')).status, 401);

    assert.equal(
      (await http(`/api/devices/${mine.deviceId}`, server.ownerToken, 'DELETE')).status,
      200,
    );
    // Read the real database file: the revoked device's rows are gone.
    await waitUntil(() => {
      const db = new Database(join(server.dataDir, 'baton.db'), { readonly: true });
      try {
        const row = db
          .prepare('SELECT count(*) AS n FROM push_subscriptions WHERE device_id = ?')
          .get(mine.deviceId) as { n: number };
        return row.n === 0;
      } finally {
        db.close();
      }
    }, 'the revoked device to lose its subscriptions');
    const deleted = await http(path, mine.token, 'DELETE');
    assert.equal(deleted.status, 401, 'a revoked device cannot reach its subscriptions');
  });

  test('the OpenAPI document describes the push routes', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    assert.ok(doc.paths['/api/push/key']?.['get']);
    assert.ok(doc.paths['/api/push/subscriptions']?.['post']);
    assert.ok(doc.paths['/api/push/subscriptions/{id}']?.['patch']);
    assert.ok(doc.paths['/api/push/subscriptions/{id}']?.['delete']);
  });

  test('with push off every push route says so', async () => {
    const off = await startTestServer({ push: { enabled: false } });
    try {
      const r = await fetch(`${off.url}/api/push/key`, {
        headers: { authorization: `Bearer ${off.ownerToken}` },
      });
      assert.equal(r.status, 404);
      assert.match(
        ((await r.json()) as { error: { message: string } }).error.message,
        /Web Push is off/,
      );
    } finally {
      await off.stop();
    }
  });
});
