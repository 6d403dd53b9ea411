import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isKnownLogEvent, type SessionInfo } from '@baton/protocol';
import { ProtocolClient, ProtocolError } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

/**
 * Input ids are chosen by clients and unique per device, so dedupe is per (session, device,
 * input id): two scripts that both number their inputs 1, 2, 3 are both delivered; a retry is a
 * duplicate; a different input reusing an id is refused, visibly. Real server, real devices
 * registered over HTTP, real WebSocket clients.
 */
describe('input dedupe is per device', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let a: ProtocolClient;
  let b: ProtocolClient;
  let session: SessionInfo;

  const register = async (name: string): Promise<string> => {
    const res = await fetch(server.url + '/api/devices', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.ownerToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { token: string }).token;
  };

  before(async () => {
    server = await startTestServer();
    a = await ProtocolClient.connect(server.wsUrl, await register('script a'));
    b = await ProtocolClient.connect(server.wsUrl, await register('script b'));
    assert.notEqual(a.deviceId, b.deviceId);
    ({ session } = await a.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    }));
    await a.subscribe(session.id, 0);
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
    await server.stop();
  });

  const inputsInLog = () =>
    (a.logs.get(session.id) ?? []).flatMap((e) =>
      isKnownLogEvent(e) && e.type === 'input' ? [e] : [],
    );

  test('two devices that both use ids 1, 2, 3, … are all delivered', async () => {
    const acks = [];
    // One after the other (each device's ids meet the other's stored ids)...
    for (const [c, tag] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      for (const id of ['1', '2', '3'])
        acks.push(await c.submit(session.id, id, { kind: 'terminal', data: `${tag}${id}` }));
    }
    // ...and at once (they meet in one group commit).
    acks.push(
      ...(await Promise.all(
        ['4', '5'].flatMap((id) => [
          a.submit(session.id, id, { kind: 'terminal', data: `a${id}` }),
          b.submit(session.id, id, { kind: 'terminal', data: `b${id}` }),
        ]),
      )),
    );
    assert.ok(
      acks.every((ack) => !ack.duplicate),
      'no device sees another device’s input as its duplicate',
    );
    assert.equal(new Set(acks.map((ack) => ack.seq)).size, 10, 'ten inputs, ten positions');
    const head = Math.max(...acks.map((ack) => ack.seq));
    await a.waitForSeq(session.id, head);
    const stored = inputsInLog().map((e) => `${e.data.deviceId}:${e.data.inputId}`);
    for (const id of ['1', '2', '3', '4', '5']) {
      assert.ok(stored.includes(`${a.deviceId}:${id}`));
      assert.ok(stored.includes(`${b.deviceId}:${id}`));
    }
  });

  test('a retry from the same device is a duplicate with the original seq', async () => {
    const first = await a.submit(session.id, 'retry-1', { kind: 'terminal', data: 'x' });
    const again = await a.submit(session.id, 'retry-1', { kind: 'terminal', data: 'x' });
    assert.deepEqual(again, { seq: first.seq, duplicate: true });
    // Racing copies sent back to back share one group commit: one is stored, one is its duplicate.
    const frame = {
      type: 'input',
      sessionId: session.id,
      inputId: 'race',
      payload: { kind: 'terminal', data: 'r' },
    };
    b.send(frame);
    b.send(frame);
    const acksFor = () =>
      b.frames.flatMap((f) => (f.type === 'ack' && f.inputId === 'race' ? [f] : []));
    await b.waitFor(() => acksFor().length === 2);
    const racing = acksFor();
    assert.equal(racing.filter((r) => r.duplicate).length, 1);
    assert.equal(racing[0]!.seq, racing[1]!.seq);
  });

  test('the same id from the same device with another payload is refused, naming the conflict', async () => {
    const first = await a.submit(session.id, 'reused', { kind: 'terminal', data: 'one' });
    await assert.rejects(
      a.submit(session.id, 'reused', { kind: 'terminal', data: 'two' }),
      (err: unknown) =>
        err instanceof ProtocolError &&
        err.code === 'bad_request' &&
        /already used by this device for a different input/.test(err.message) &&
        err.message.includes(`#${first.seq}`),
    );
    // The same id and payload is still the duplicate of the first.
    const again = await a.submit(session.id, 'reused', { kind: 'terminal', data: 'one' });
    assert.deepEqual(again, { seq: first.seq, duplicate: true });
    // Over HTTP (the device's own id) the same rules hold.
    const http = await fetch(`${server.url}/api/sessions/${session.id}/inputs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.ownerToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ inputId: 'reused', payload: { kind: 'terminal', data: 'other' } }),
    });
    assert.equal(http.status, 201, 'the owner is another device: its id "reused" is its own');
  });

  test('an invalid input is rejected with its inputId, so an outbox can settle it', async () => {
    const errorFor = async (frame: object) => {
      const from = a.frames.length;
      a.send(frame);
      const f = await a.waitFor((x) => x.type === 'error' && a.frames.indexOf(x) >= from);
      assert.ok(f.type === 'error');
      return f;
    };
    const bad = await errorFor({
      type: 'input',
      sessionId: session.id,
      inputId: 'bad-1',
      payload: { kind: 'terminal', data: '' },
    });
    assert.equal(bad.code, 'invalid_message');
    assert.equal(bad.inputId, 'bad-1');
    assert.equal(bad.sessionId, session.id);
    assert.match(bad.message, /payload/);
    const noPayload = await errorFor({ type: 'input', sessionId: session.id, inputId: 'bad-2' });
    assert.equal(noPayload.inputId, 'bad-2');
    // An id that is itself invalid cannot be echoed; the message names the field instead.
    const badId = await errorFor({
      type: 'input',
      sessionId: session.id,
      inputId: 'has spaces',
      payload: { kind: 'terminal', data: 'x' },
    });
    assert.equal(badId.inputId, undefined);
    assert.match(badId.message, /inputId/);
    assert.deepEqual(a.violations, []);
  });

  test('after the session stopped, a retry is still a duplicate and a reused id still refused', async () => {
    const first = await b.submit(session.id, 'late', { kind: 'terminal', data: 'l' });
    await a.request({ type: 'session.stop', sessionId: session.id });
    const again = await b.submit(session.id, 'late', { kind: 'terminal', data: 'l' });
    assert.deepEqual(again, { seq: first.seq, duplicate: true });
    await assert.rejects(
      b.submit(session.id, 'late', { kind: 'terminal', data: 'other' }),
      (err: unknown) => err instanceof ProtocolError && err.code === 'bad_request',
    );
    await assert.rejects(
      a.submit(session.id, 'late', { kind: 'terminal', data: 'l' }),
      (err: unknown) => err instanceof ProtocolError && err.code === 'session_not_running',
      'another device’s "late" is a new input, and the session takes none',
    );
  });
});
