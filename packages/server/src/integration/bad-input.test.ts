import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { SessionInfo } from '@baton/protocol';
import { CloseCode } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

describe('bad input gets a clear error and harms nothing', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let honest: ProtocolClient;
  let session: SessionInfo;
  before(async () => {
    server = await startTestServer({ maxFrameBytes: 64 * 1024 });
    honest = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    ({ session } = await honest.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    }));
    await honest.subscribe(session.id, 0);
    await honest.submit(session.id, 'before', { kind: 'terminal', data: 'a' });
  });
  after(async () => {
    await honest.close();
    await server.stop();
  });

  const errorFor = async (c: ProtocolClient, frame: string | object) => {
    const before = c.frames.length;
    c.send(frame);
    const f = await c.waitFor((x) => x.type === 'error' && c.frames.indexOf(x) >= before);
    assert.ok(f.type === 'error');
    return f;
  };

  test('malformed frames each get an error with a code and a message that says what was wrong', async () => {
    const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    assert.equal((await errorFor(c, '{nope')).code, 'bad_json');
    const unknown = await errorFor(c, { type: 'fly.to.moon', rid: 7 });
    assert.equal(unknown.code, 'invalid_message');
    assert.equal(unknown.rid, 7, 'the rid is echoed so the client can match it');
    const wrongType = await errorFor(c, {
      type: 'subscribe',
      rid: 8,
      sessionId: session.id,
      afterSeq: 'zero',
    });
    assert.equal(wrongType.code, 'invalid_message');
    assert.match(wrongType.message, /afterSeq/);
    const negative = await errorFor(c, {
      type: 'subscribe',
      rid: 9,
      sessionId: session.id,
      afterSeq: -1,
    });
    assert.equal(negative.code, 'invalid_message');
    const big = await errorFor(c, 'x'.repeat(100 * 1024));
    assert.equal(big.code, 'frame_too_large');
    const unknownSession = await errorFor(c, {
      type: 'subscribe',
      rid: 10,
      sessionId: 's_aaaaaaaaaaaaaaaaaaaa',
      afterSeq: 0,
    });
    assert.equal(unknownSession.code, 'not_found');
    const badId = await errorFor(c, {
      type: 'subscribe',
      rid: 11,
      sessionId: '../../etc',
      afterSeq: 0,
    });
    assert.equal(badId.code, 'invalid_message');
    const wrongPayload = await errorFor(c, {
      type: 'input',
      sessionId: session.id,
      inputId: 'm1',
      payload: { kind: 'message', text: 'hi' },
    });
    assert.equal(wrongPayload.code, 'bad_request');
    assert.equal(wrongPayload.inputId, 'm1');
    const secondHello = await errorFor(c, {
      type: 'hello',
      v: 1,
      token: server.ownerToken,
      mode: 'tab',
    });
    assert.equal(secondHello.code, 'hello_required');
    const binary = await new Promise<string>((resolve) => {
      c.ws.once('message', (d) => resolve(String(d)));
      c.ws.send(Buffer.from([1, 2, 3]));
    });
    assert.match(binary, /invalid_message/);
    // The connection is still usable after all of that.
    const ok = await c.request<{ sessions: unknown[] }>({ type: 'sessions.watch' });
    assert.ok(Array.isArray(ok.sessions));
    await c.close();
  });

  test('requests before hello are refused; wrong or missing credentials close with 4401', async () => {
    const raw = new WebSocket(server.wsUrl);
    await new Promise((r) => raw.once('open', r));
    const first = new Promise<string>((r) => raw.once('message', (d) => r(String(d))));
    raw.send(JSON.stringify({ type: 'sessions.watch', rid: 1 }));
    assert.match(await first, /hello_required/);
    const closed = new Promise<number>((r) => raw.once('close', (code) => r(code)));
    raw.send(JSON.stringify({ type: 'hello', v: 1, token: 'bd_wrong', mode: 'tab' }));
    assert.equal(await closed, CloseCode.Unauthorized);
    await assert.rejects(ProtocolClient.connect(server.wsUrl, ''), /invalid_message/);
    await assert.rejects(ProtocolClient.connect(server.wsUrl, 'bo_not-the-owner'), /unauthorized/);
    const old = new WebSocket(server.wsUrl);
    await new Promise((r) => old.once('open', r));
    const oldClosed = new Promise<number>((r) => old.once('close', (code) => r(code)));
    old.send(JSON.stringify({ type: 'hello', v: 999, token: server.ownerToken, mode: 'tab' }));
    assert.equal(await oldClosed, CloseCode.UnsupportedVersion);
  });

  test('a frame whose type is not a string is refused, and its connection goes on, before hello and after', async () => {
    // `String({toString: 1})` throws: a frame like this once stopped its connection for good.
    const hostile = '{"type":{"toString":1},"rid":3}';
    const raw = new WebSocket(server.wsUrl);
    await new Promise((r) => raw.once('open', r));
    const texts: string[] = [];
    raw.on('message', (d) => texts.push(String(d)));
    const nth = async (n: number) => {
      while (texts.length < n) await new Promise((r) => raw.once('message', r));
      return JSON.parse(texts[n - 1]!) as { type: string; code?: string; rid?: number };
    };
    raw.send(hostile);
    const first = await nth(1);
    assert.deepEqual([first.type, first.code, first.rid], ['error', 'invalid_message', 3]);
    raw.send(JSON.stringify({ type: 'sessions.watch', rid: 4 }));
    assert.equal((await nth(2)).code, 'hello_required', 'the connection still reads frames');
    raw.send(JSON.stringify({ type: 'hello', v: 1, token: server.ownerToken, mode: 'tab' }));
    assert.equal((await nth(3)).type, 'welcome');
    raw.close();
    const c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const refused = await errorFor(c, hostile);
    assert.equal(refused.code, 'invalid_message');
    assert.equal(refused.rid, 3);
    const ok = await c.request<{ sessions: unknown[] }>({ type: 'sessions.watch' });
    assert.ok(Array.isArray(ok.sessions));
    await c.close();
  });

  test('a foreign web origin cannot open a WebSocket', async () => {
    const ws = new WebSocket(server.wsUrl, { headers: { origin: 'https://evil.example' } });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => {});
    });
    assert.equal(status, 403);
  });

  test('HTTP: wrong credentials, bad JSON, wrong fields, unknown sessions each get a clear error', async () => {
    const api = (path: string, init: RequestInit = {}, token: string | null = server.ownerToken) =>
      fetch(server.url + path, {
        ...init,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
    const noAuth = await api('/api/sessions', {}, null);
    assert.equal(noAuth.status, 401);
    assert.match(
      ((await noAuth.json()) as { error: { message: string } }).error.message,
      /Authorization: Bearer/,
    );
    assert.equal((await api('/api/sessions', {}, 'bd_wrong')).status, 401);
    const badJson = await api('/api/sessions', { method: 'POST', body: '{' });
    assert.equal(badJson.status, 400);
    assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'bad_json');
    const badKind = await api('/api/sessions', {
      method: 'POST',
      body: JSON.stringify({ kind: 'spaceship' }),
    });
    assert.equal(badKind.status, 400);
    assert.match(((await badKind.json()) as { error: { message: string } }).error.message, /kind/);
    assert.equal((await api('/api/sessions/s_aaaaaaaaaaaaaaaaaaaa')).status, 404);
    assert.equal((await api('/api/nowhere')).status, 404);
    const badInput = await api(`/api/sessions/${session.id}/inputs`, {
      method: 'POST',
      body: JSON.stringify({ inputId: 'has space', payload: { kind: 'terminal', data: 'x' } }),
    });
    assert.equal(badInput.status, 400);
    const tooBig = await api(`/api/sessions/${session.id}/inputs`, {
      method: 'POST',
      body: JSON.stringify({
        inputId: 'big',
        payload: { kind: 'terminal', data: 'x'.repeat(70_000) },
      }),
    });
    assert.equal(tooBig.status, 413);
    // Query numbers are decimal digits only; unknown query keys are refused.
    const events = `/api/sessions/${session.id}/events`;
    for (const query of ['after=0x10', 'after=', 'limit=1e3', 'after=-1', 'after=1.5', 'x=1']) {
      const r = await api(`${events}?${query}`);
      assert.equal(r.status, 400, query);
      const body = (await r.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'bad_request', query);
      assert.match(body.error.message, /invalid query: /, query);
    }
    assert.equal((await api('/api/audit?after=0x1')).status, 400);
    assert.equal((await api('/api/agent-conversations?limit=0x10')).status, 400);
    const page = await api(`${events}?after=0&limit=2`);
    assert.equal(page.status, 200);
    assert.equal(((await page.json()) as { events: unknown[] }).events.length, 2);
    const deviceToken = (
      (await (
        await api('/api/devices', {
          method: 'POST',
          body: JSON.stringify({ name: 'phone', role: 'editor' }),
        })
      ).json()) as { token: string }
    ).token;
    assert.equal(
      (
        await api(
          '/api/devices',
          { method: 'POST', body: JSON.stringify({ name: 'x' }) },
          deviceToken,
        )
      ).status,
      403,
      'only the owner registers devices',
    );
    const health = await api('/api/health', {}, null);
    assert.equal(health.status, 200);
    const openapi = (await (await api('/api/openapi.json', {}, null)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(openapi.openapi, '3.1.0');
    assert.ok(openapi.paths['/api/sessions/{id}/inputs']);
  });

  test('after all of it the honest client and the stored log are untouched', async () => {
    const ack = await honest.submit(session.id, 'after', { kind: 'terminal', data: 'b' });
    await honest.waitForSeq(session.id, ack.seq);
    assert.deepEqual(honest.violations, []);
    const inputs = honest.logs
      .get(session.id)!
      .filter((e) => e.type === 'input')
      .map((e) => (e.type === 'input' ? e.data.inputId : ''));
    assert.deepEqual(inputs, ['before', 'after']);
  });
});
