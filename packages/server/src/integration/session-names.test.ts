import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import type { RunningServer } from '../server.js';
import { ProtocolClient, type ProtocolError } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';

const BAD_NAMES = [
  'evil\x1b]0;pwned\x07', // an OSC title sequence
  'clear\x1b[2J',
  'nul\x00byte',
  'two\nlines',
  'carriage\rreturn',
  'bell\x07',
  'c1\x9b31m',
  'bidi\u202eevil',
  'sep\u2028arator',
];

describe('session and device names refuse control characters and escape sequences', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let c: ProtocolClient;
  let session: SessionInfo;
  before(async () => {
    server = await startTestServer();
    c = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    ({ session } = await c.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      name: 'good',
      config: QUIET_TERMINAL,
    }));
  });
  after(async () => {
    await c.close();
    await server.stop();
  });

  const api = (method: string, path: string, body: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('over the WebSocket: create and rename answer bad_request naming the character', async () => {
    for (const name of BAD_NAMES) {
      await assert.rejects(
        c.request({ type: 'session.create', kind: 'terminal', name, config: QUIET_TERMINAL }),
        (err: ProtocolError) =>
          err.code === 'bad_request' && /control characters/.test(err.message),
        JSON.stringify(name),
      );
      await assert.rejects(
        c.request({ type: 'session.rename', sessionId: session.id, name }),
        (err: ProtocolError) => err.code === 'bad_request' && /U\+[0-9A-F]{4}/.test(err.message),
        JSON.stringify(name),
      );
    }
  });

  test('over HTTP: create, rename and device registration answer 400 bad_request', async () => {
    for (const name of BAD_NAMES) {
      for (const res of [
        await api('POST', '/api/sessions', { kind: 'terminal', name, config: QUIET_TERMINAL }),
        await api('PATCH', `/api/sessions/${session.id}`, { name }),
        await api('POST', '/api/devices', { name }),
      ]) {
        assert.equal(res.status, 400, JSON.stringify(name));
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'bad_request');
        assert.match(body.error.message, /control characters, newlines, escape sequences/);
      }
    }
  });

  test('nothing was stored, and ordinary Unicode names are accepted', async () => {
    const { sessions } = (await (
      await fetch(server.url + '/api/sessions', {
        headers: { authorization: `Bearer ${server.ownerToken}` },
      })
    ).json()) as { sessions: SessionInfo[] };
    assert.deepEqual(
      sessions.map((s) => s.name),
      ['good'],
    );
    const renamed = await c.request<{ session: SessionInfo }>({
      type: 'session.rename',
      sessionId: session.id,
      name: 'Build — café 🚀 日本語',
    });
    assert.equal(renamed.session.name, 'Build — café 🚀 日本語');
  });
});
