import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LogEvent, Role, SessionControl, SessionInfo } from '@baton/protocol';
import { ProtocolClient, type ProtocolError } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

interface Handoff {
  token: string;
  url: string;
  qrSvg: string;
  expiresAt: number;
}
interface Resumed {
  deviceId: string;
  deviceToken?: string;
  role: Role;
  mode: string;
  control: SessionControl;
}
interface State {
  session: SessionInfo;
  control: SessionControl;
  devices: { deviceId: string; deviceName: string; role: Role; mode: string }[];
}

/** HTTP against a test server: JSON in, status and JSON out. */
function api(server: Server) {
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(server.url + path, init);
    return { status: res.status, body: (await res.json()) as T };
  };
}

/** A server with a running quiet terminal, a desktop (owner device) attached to it. */
async function setUp(options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(options);
  const call = api(server);
  const desktopCred = (
    await call<{ deviceId: string; token: string }>('POST', '/api/devices', server.ownerToken, {
      name: 'desktop',
    })
  ).body;
  const desktop = await ProtocolClient.connect(server.wsUrl, desktopCred.token, 'tab');
  const { session } = await desktop.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind: 'terminal',
    config: QUIET_TERMINAL,
  });
  await desktop.subscribe(session.id, 0);
  const handoff = async (mode: string, token = desktopCred.token, ttlSeconds?: number) =>
    call<Handoff>('POST', `/api/sessions/${session.id}/handoff`, token, {
      mode,
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    });
  const resume = (handoffToken: string, deviceName: string, bearer?: string, id = session.id) =>
    call<Resumed>('POST', `/api/sessions/${id}/resume`, bearer, { handoffToken, deviceName });
  const type = (client: ProtocolClient, id: string) =>
    client.submit(session.id, id, { kind: 'terminal', data: `${id}\r` });
  const controlEvents = (client: ProtocolClient) =>
    (client.logs.get(session.id) ?? []).filter(
      (e): e is Extract<LogEvent, { type: 'control.changed' }> => e.type === 'control.changed',
    );
  return { server, call, desktop, desktopCred, session, handoff, resume, type, controlEvents };
}

describe('handoff and control', () => {
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
  });

  test('a takeover makes the receiver the controller and demotes the giver live', async () => {
    const t = await setUp();
    servers.push(t.server);
    const { session } = t;
    const issued = await t.handoff('takeover');
    assert.equal(issued.status, 201);
    assert.match(issued.body.token, /^bh_/);
    assert.equal(
      issued.body.url,
      `${t.server.url}/s/${session.id}#handoff=${encodeURIComponent(issued.body.token)}`,
    );
    assert.match(issued.body.qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
    assert.ok(issued.body.expiresAt > Date.now() && issued.body.expiresAt <= Date.now() + 300_000);

    // A second desktop window of another device watches the session list.
    const watcher = await ProtocolClient.connect(t.server.wsUrl, t.server.ownerToken, 'tab');
    await watcher.request({ type: 'sessions.watch' });
    await watcher.subscribe(session.id, 0);

    const redeemed = await t.resume(issued.body.token, 'phone');
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    const phoneCred = redeemed.body;
    assert.equal(phoneCred.role, 'editor');
    assert.equal(phoneCred.mode, 'takeover');
    assert.ok(phoneCred.deviceToken);
    assert.equal(phoneCred.control.state, 'controlled');

    // Every attached device hears of it, in log order.
    for (const client of [t.desktop, watcher]) {
      const [changed] = await waitUntil(() => {
        const events = t.controlEvents(client);
        return events.length > 0 && events;
      }, 'the control.changed event');
      assert.equal(changed!.data.action, 'takeover');
      assert.equal(changed!.data.deviceId, phoneCred.deviceId);
      assert.deepEqual(
        changed!.data.control.state === 'controlled' && changed!.data.control.controller,
        { deviceId: phoneCred.deviceId, deviceName: 'phone' },
      );
    }
    await watcher.waitFor(
      (f) =>
        f.type === 'sessions.changed' &&
        f.change === 'upsert' &&
        f.session.id === session.id &&
        f.session.control?.state === 'controlled',
    );

    // The giver's next input, resize and stop are refused by the server, naming who controls.
    const refused = await t.type(t.desktop, 'd-1').then(
      () => assert.fail('the giver could still type'),
      (e: unknown) => e as ProtocolError,
    );
    assert.equal(refused.code, 'forbidden');
    assert.match(refused.message, /phone controls this session/);
    assert.match(refused.message, /take control back/);
    for (const frame of [
      { type: 'resize', sessionId: session.id, cols: 100, rows: 30 },
      { type: 'session.stop', sessionId: session.id },
    ]) {
      const err = await t.desktop.request(frame).then(
        () => assert.fail(`${frame.type} was accepted from an observer`),
        (e: unknown) => e as ProtocolError,
      );
      assert.equal(err.code, 'forbidden', frame.type);
    }
    const stopOverHttp = await t.call(
      'POST',
      `/api/sessions/${session.id}/stop`,
      t.desktopCred.token,
    );
    assert.equal(stopOverHttp.status, 403);

    // The receiver steers; it sees only this session.
    const phone = await ProtocolClient.connect(t.server.wsUrl, phoneCred.deviceToken!, 'mobile');
    const listed = await phone.request<{ sessions: SessionInfo[] }>({ type: 'sessions.watch' });
    assert.deepEqual(
      listed.sessions.map((s) => s.id),
      [session.id],
    );
    assert.equal(listed.sessions[0]!.control?.state, 'controlled');
    await phone.subscribe(session.id, 0);
    await t.type(phone, 'p-1');

    // The session's state names the controller and every attached device's mode and role.
    const state = await waitUntil(async () => {
      const r: { body: State } = await t.call<State>(
        'GET',
        `/api/sessions/${session.id}`,
        t.desktopCred.token,
      );
      return r.body.devices.length === 3 && r.body;
    }, 'three attached devices');
    assert.equal(state.control.state, 'controlled');
    const modes = Object.fromEntries(state.devices.map((d) => [d.deviceName, [d.mode, d.role]]));
    assert.deepEqual(modes, {
      desktop: ['observer', 'owner'],
      owner: ['observer', 'owner'],
      phone: ['controller', 'editor'],
    });

    // The phone may release; an owner may take control back; then the phone observes.
    const reclaimed = await t.call<State>(
      'POST',
      `/api/sessions/${session.id}/control`,
      t.desktopCred.token,
      { action: 'reclaim' },
    );
    assert.equal(reclaimed.status, 200);
    assert.equal(
      reclaimed.body.control.state === 'controlled' && reclaimed.body.control.controller.deviceName,
      'desktop',
    );
    await t.type(t.desktop, 'd-2');
    const phoneRefused = await t.type(phone, 'p-2').then(
      () => assert.fail('the phone could still type'),
      (e: unknown) => e as ProtocolError,
    );
    assert.equal(phoneRefused.code, 'forbidden');
    assert.match(phoneRefused.message, /desktop controls this session/);
    assert.match(phoneRefused.message, /ask them to hand it back/);
    // A non-owner that does not control may neither reclaim nor release.
    for (const action of ['reclaim', 'release']) {
      const r: { status: number } = await t.call(
        'POST',
        `/api/sessions/${session.id}/control`,
        phoneCred.deviceToken,
        {
          action,
        },
      );
      assert.equal(r.status, 403, action);
    }
    const released = await t.call<State>(
      'POST',
      `/api/sessions/${session.id}/control`,
      t.desktopCred.token,
      { action: 'release' },
    );
    assert.deepEqual(released.body.control, { state: 'open' });
    await t.type(phone, 'p-3');
    assert.deepEqual(
      t.controlEvents(phone).map((e) => e.data.action),
      ['takeover', 'reclaim', 'release'],
    );
    for (const c of [t.desktop, watcher, phone]) assert.deepEqual(c.violations, []);
    for (const c of [t.desktop, watcher, phone]) c.ws.close();
  });

  test('mirror lets the controller and the receiver type; observe is read-only', async () => {
    const t = await setUp();
    servers.push(t.server);
    const { session } = t;
    const first = (await t.resume((await t.handoff('takeover')).body.token, 'phone')).body;
    const phone = await ProtocolClient.connect(t.server.wsUrl, first.deviceToken!, 'mobile');
    await phone.subscribe(session.id, 0);

    // An editor that observes may not hand out control it does not have, only observing.
    const laptop = (
      await t.call<{ token: string }>('POST', '/api/devices', t.server.ownerToken, {
        name: 'laptop',
        role: 'editor',
      })
    ).body;
    const laptopMirror = await t.handoff('mirror', laptop.token);
    assert.equal(laptopMirror.status, 403);
    assert.match(JSON.stringify(laptopMirror.body), /cannot hand out control it does not have/);
    assert.equal((await t.handoff('observe', laptop.token)).status, 201);
    const phoneMirror = await t.handoff('mirror', first.deviceToken);
    assert.equal(phoneMirror.status, 201);
    const second = (await t.resume(phoneMirror.body.token, 'tablet')).body;
    assert.equal(second.mode, 'mirror');
    assert.equal(second.role, 'editor');
    assert.deepEqual(second.control.state === 'controlled' && second.control.mirrors, [
      { deviceId: second.deviceId, deviceName: 'tablet' },
    ]);
    const tablet = await ProtocolClient.connect(t.server.wsUrl, second.deviceToken!, 'mobile');
    await tablet.subscribe(session.id, 0);
    await t.type(phone, 'p-1');
    await t.type(tablet, 't-1');
    await assert.rejects(t.type(t.desktop, 'd-1'), { code: 'forbidden' });

    const observeLink = await t.handoff('observe');
    assert.equal(observeLink.status, 201);
    const watcherCred = (await t.resume(observeLink.body.token, 'wall')).body;
    assert.equal(watcherCred.role, 'viewer');
    assert.equal(watcherCred.mode, 'observe');
    const wall = await ProtocolClient.connect(t.server.wsUrl, watcherCred.deviceToken!, 'mobile');
    await wall.subscribe(session.id, 0);
    await assert.rejects(t.type(wall, 'w-1'), (e: ProtocolError) => {
      assert.equal(e.code, 'forbidden');
      assert.match(e.message, /needs the editor role/);
      return true;
    });
    // A viewer hands out nothing.
    const viewerHandoff = await t.handoff('observe', watcherCred.deviceToken);
    assert.equal(viewerHandoff.status, 403);
    const state = await waitUntil(async () => {
      const r: { body: State } = await t.call<State>(
        'GET',
        `/api/sessions/${session.id}`,
        t.desktopCred.token,
      );
      return r.body.devices.length === 4 && r.body;
    }, 'four attached devices');
    const byName = Object.fromEntries(state.devices.map((d) => [d.deviceName, d.mode]));
    assert.equal(byName['phone'], 'controller');
    assert.equal(byName['tablet'], 'mirror');
    assert.equal(byName['desktop'], 'observer');
    for (const c of [t.desktop, phone, tablet, wall]) c.ws.close();
  });

  test('a device already signed in receives the handoff itself', async () => {
    const t = await setUp();
    servers.push(t.server);
    const laptop = (
      await t.call<{ deviceId: string; token: string }>(
        'POST',
        '/api/devices',
        t.server.ownerToken,
        {
          name: 'laptop',
          role: 'editor',
        },
      )
    ).body;
    const viewer = (
      await t.call<{ deviceId: string; token: string }>(
        'POST',
        '/api/devices',
        t.server.ownerToken,
        {
          name: 'frame',
          role: 'viewer',
        },
      )
    ).body;
    const link = (await t.handoff('takeover')).body.token;
    const devicesBefore = (
      await t.call<{ devices: unknown[] }>('GET', '/api/devices', t.server.ownerToken)
    ).body.devices.length;
    // A viewer cannot be lifted to controller by a link; the token is not spent by the refusal.
    const refused = await t.resume(link, 'ignored', viewer.token);
    assert.equal(refused.status, 403);
    const bad = await t.resume(link, 'ignored', 'not-a-token');
    assert.equal(bad.status, 401);
    const got = await t.resume(link, 'ignored', laptop.token);
    assert.equal(got.status, 200);
    assert.equal(got.body.deviceId, laptop.deviceId);
    assert.equal(got.body.deviceToken, undefined);
    assert.equal(
      got.body.control.state === 'controlled' && got.body.control.controller.deviceName,
      'laptop',
    );
    const devicesAfter = (
      await t.call<{ devices: unknown[] }>('GET', '/api/devices', t.server.ownerToken)
    ).body.devices.length;
    assert.equal(devicesAfter, devicesBefore, 'no device was created');
    t.desktop.ws.close();
  });

  test('replayed, expired, foreign, malformed and flooded redeems are refused and change nothing', async () => {
    const t = await setUp();
    servers.push(t.server);
    const { session } = t;
    const other = (
      await t.call<{ session: SessionInfo }>('POST', '/api/sessions', t.desktopCred.token, {
        kind: 'terminal',
        config: QUIET_TERMINAL,
      })
    ).body.session;
    const snapshotOfState = async () => ({
      devices: (await t.call<{ devices: unknown[] }>('GET', '/api/devices', t.server.ownerToken))
        .body.devices,
      control: t.server.hub.get(session.id).control,
      head: t.server.hub.get(session.id).committedSeq,
    });

    const used = (await t.handoff('takeover')).body.token;
    assert.equal((await t.resume(used, 'phone')).status, 200);
    const before = await snapshotOfState();

    const replay = await t.resume(used, 'thief');
    assert.equal(replay.status, 409);
    assert.equal(
      (replay.body as unknown as { error: { code: string } }).error.code,
      'already_used',
    );

    const foreign = (await t.handoff('takeover', t.server.ownerToken)).body.token;
    const wrong = await t.resume(foreign, 'thief', undefined, other.id);
    assert.equal(wrong.status, 404);
    assert.equal((wrong.body as unknown as { error: { code: string } }).error.code, 'not_found');

    const shortLived = (await t.handoff('takeover', t.server.ownerToken, 1)).body;
    await waitUntil(() => Date.now() > shortLived.expiresAt, 'the token to expire', 5_000);
    const expired = await t.resume(shortLived.token, 'late');
    assert.equal(expired.status, 410);
    assert.equal(
      (expired.body as unknown as { error: { code: string; message: string } }).error.code,
      'expired',
    );

    const unknown = await t.resume('bh_' + 'A'.repeat(43), 'guess');
    assert.equal(unknown.status, 404);
    const malformed = await t.call('POST', `/api/sessions/${session.id}/resume`, undefined, {
      handoffToken: 7,
    });
    assert.equal(malformed.status, 400);
    const badName = await t.resume(foreign, 'evil\u001b[2Jname');
    assert.equal(badName.status, 400);
    const badMode = await t.call(
      'POST',
      `/api/sessions/${session.id}/handoff`,
      t.desktopCred.token,
      {
        mode: 'own',
      },
    );
    assert.equal(badMode.status, 400);
    const tooLong = await t.call(
      'POST',
      `/api/sessions/${session.id}/handoff`,
      t.desktopCred.token,
      {
        mode: 'observe',
        ttlSeconds: 301,
      },
    );
    assert.equal(tooLong.status, 400);

    // Every attempt counts against the limit: the flood is refused with the wait.
    let limited: { status: number; headers: Headers } | undefined;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await fetch(`${t.server.url}/api/sessions/${session.id}/resume`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handoffToken: `bh_guess${i}`, deviceName: 'guess' }),
      });
      await res.body?.cancel();
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, 'a flood of redeem attempts is rate limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // Even a valid token waits out the limit.
    const valid = (await t.handoff('observe', t.server.ownerToken)).body.token;
    assert.equal((await t.resume(valid, 'late')).status, 429);

    assert.deepEqual(await snapshotOfState(), before, 'nothing stored changed');
    t.desktop.ws.close();
  });

  test('control is durable and ordered: it survives a restart and reaches a late joiner', async () => {
    const data = tempDataDir();
    try {
      const t = await setUp({ dataDir: data.dir });
      const { session } = t;
      const phone = (await t.resume((await t.handoff('takeover')).body.token, 'phone')).body;
      t.desktop.ws.close();
      await t.server.close();

      const again = await startTestServer({ dataDir: data.dir });
      try {
        const call = api(again);
        const state = (await call<State>('GET', `/api/sessions/${session.id}`, phone.deviceToken))
          .body;
        assert.equal(
          state.control.state === 'controlled' && state.control.controller.deviceId,
          phone.deviceId,
        );
        const late = await ProtocolClient.connect(again.wsUrl, t.desktopCred.token, 'tab');
        const listed = await late.request<{ sessions: SessionInfo[] }>({ type: 'sessions.watch' });
        assert.equal(listed.sessions[0]?.control?.state, 'controlled');
        await assert.rejects(late.submit(session.id, 'late-1', { kind: 'terminal', data: 'x' }), {
          code: 'forbidden',
        });
        late.ws.close();
      } finally {
        await again.close();
      }
    } finally {
      data.remove();
    }
  });

  test('sync returns what a socket client sees, in bounded pages, and resets a stale position', async () => {
    const t = await setUp();
    servers.push(t.server);
    const { session } = t;
    for (let i = 0; i < 5; i++) await t.type(t.desktop, `s-${i}`);
    await t.resume((await t.handoff('takeover')).body.token, 'phone');

    const seen: LogEvent[] = [];
    let afterSeq = 0;
    let pages = 0;
    let last:
      | (State & {
          events: LogEvent[];
          more: boolean;
          nextAfter: number;
          epoch: string;
          reset: boolean;
          headSeq: number;
        })
      | undefined;
    for (;;) {
      const page = await t.call<NonNullable<typeof last>>(
        'POST',
        `/api/sessions/${session.id}/sync`,
        t.desktopCred.token,
        { after: afterSeq, limit: 3 },
      );
      assert.equal(page.status, 200);
      assert.ok(page.body.events.length <= 3);
      assert.equal(page.body.reset, false);
      seen.push(...page.body.events);
      last = page.body;
      pages++;
      if (!page.body.more) break;
      afterSeq = page.body.nextAfter;
    }
    assert.ok(pages >= 3);
    // The terminal may still add an event while the pages are read (input typed before its
    // `stty -echo` ran comes back as output), so the pages are held to the head the last one
    // reported, and the socket client to the same prefix of the log.
    assert.equal(last.headSeq, seen.at(-1)?.seq);
    await t.desktop.waitForSeq(session.id, last.headSeq);
    assert.deepEqual(
      seen,
      t.desktop.logs.get(session.id)!.filter((e) => e.seq <= last.headSeq),
    );
    assert.equal(last.control.state, 'controlled');
    assert.equal(last.session.id, session.id);

    // A position from another epoch gets the reset a subscriber would get.
    const stale = await t.call<{ reset: boolean; snapshot: { seq: number }; epoch: string }>(
      'POST',
      `/api/sessions/${session.id}/sync`,
      t.desktopCred.token,
      { after: 2, epoch: 'e_other_epoch_000000000000' },
    );
    assert.equal(stale.status, 200, JSON.stringify(stale.body));
    assert.equal(stale.body.reset, true);
    assert.ok(stale.body.snapshot.seq >= 0);
    const bad = await t.call('POST', `/api/sessions/${session.id}/sync`, t.desktopCred.token, {
      after: -1,
    });
    assert.equal(bad.status, 400);
    const doc = (await (await fetch(`${t.server.url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of ['handoff', 'resume', 'control', 'sync'])
      assert.ok(doc.paths[`/api/sessions/{id}/${path}`], `${path} is documented`);
    t.desktop.ws.close();
  });

  test('a version 1 connection gets control changes as a no-op it knows, without a gap', async () => {
    const t = await setUp();
    servers.push(t.server);
    const { session } = t;
    const old = await ProtocolClient.connect(t.server.wsUrl, t.server.ownerToken, 'tab', {}, 1);
    await old.subscribe(session.id, 0);
    await t.resume((await t.handoff('takeover')).body.token, 'phone');
    const head = t.server.hub.get(session.id).committedSeq;
    await old.waitForSeq(session.id, head);
    const last = old.logs.get(session.id)!.at(-1)!;
    assert.deepEqual([last.type, last.data], ['terminal.output', { data: '' }]);
    const fetched = await old.request<{ events: LogEvent[] }>({
      type: 'fetch',
      sessionId: session.id,
      afterSeq: 0,
    });
    assert.ok(fetched.events.every((e) => e.type !== 'control.changed'));
    assert.deepEqual(old.violations, []);
    assert.deepEqual(old.skipped, []);
    old.ws.close();
    t.desktop.ws.close();
  });
});
