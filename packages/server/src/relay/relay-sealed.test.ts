import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InputPayload, SessionInfo, WireInputPayload } from '@baton/protocol';
import { callApi } from '../testing/http-api.js';
import { refusal } from '../testing/protocol-client.js';
import { BASH_TERMINAL, waitUntil } from '../testing/test-server.js';
import { sealedRelay } from './sealed-relay.test-helper.js';

/**
 * Sealed sessions end to end (docs/protocol.md, "Sealed sessions"): a real relay, a real host
 * and its shell, and a device played by a raw WebSocket client with @baton/seal. The relay
 * stores and fans out envelopes it cannot open, and refuses what its public keys show forged.
 */

/** Typed by the device (never echoed in the clear: the shell's echo is sealed too). */
const TYPED = 'TYPED-7f3a9c-MARKER';
/** Only the shell's output holds it: `$((6*7))` is computed on the host. */
const OUTPUT = 'OUTPUT-MARKER-42';

test('a sealed terminal session: the device types and reads its marker, the relay stores neither', async (t) => {
  const { relayDir, logs, sessionId, pairDevice, connect } = await sealedRelay(t);
  const phone = await pairDevice('phone');
  const client = await connect(phone.token);
  await client.subscribe(sessionId);
  // Wait for the shell's prompt before typing (a sealed `$ `).
  await waitUntil(
    async () => (await phone.terminalText(client, sessionId)).includes('$'),
    'the prompt',
  );
  const payload: InputPayload = {
    kind: 'terminal',
    data: `echo ${TYPED} OUTPUT-MARKER-$((6*7))\r`,
  };
  const sealed = await phone.seal(sessionId, 'in-1', payload);
  await client.submit(sessionId, 'in-1', { kind: 'terminal', sealed });
  const text = await waitUntil(async () => {
    const t = await phone.terminalText(client, sessionId);
    return t.includes(OUTPUT) && t;
  }, 'the marker comes back, opened');
  assert.ok(text.includes(TYPED), 'the echo of what was typed is there, opened');
  assert.deepEqual(client.violations, []);

  // Nothing readable reached the relay: its database (and WAL) and its log, as raw bytes.
  const raw = ['baton.db', 'baton.db-wal']
    .map((f) => {
      try {
        return readFileSync(join(relayDir.dir, f)).toString('latin1');
      } catch {
        return '';
      }
    })
    .join('');
  assert.ok(raw.length > 0, 'the relay stored something');
  assert.ok(raw.includes('"sealed"'), 'the relay stored envelopes');
  for (const marker of [TYPED, OUTPUT, 'MARKER-$((6*7))']) {
    assert.ok(!raw.includes(marker), `the relay's database holds ${marker}`);
    assert.ok(!logs.join('\n').includes(marker), `the relay's log holds ${marker}`);
  }
  assert.ok(logs.length > 0, 'the relay logged');
});

test('the relay refuses forged, misplaced, replayed and plaintext inputs to a sealed session, storing none', async (t) => {
  const { relay, sessionId, pairDevice, connect } = await sealedRelay(t);
  const phone = await pairDevice('phone');
  const laptop = await pairDevice('laptop');
  await phone.fetchKeys(relay.url, sessionId);
  const client = await connect(phone.token);
  const { headSeq } = await client.subscribe(sessionId);
  const submit = (inputId: string, payload: unknown) =>
    refusal(client.submit(sessionId, inputId, payload as WireInputPayload));

  // A plaintext input: the session is sealed.
  assert.equal(await submit('p-1', { kind: 'terminal', data: 'echo plain\r' }), 'sealed_session');

  // A tampered ciphertext: the signature no longer verifies.
  const good = await phone.seal(sessionId, 't-1', { kind: 'terminal', data: 'echo x\r' });
  const bytes = Buffer.from(good.ciphertext, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  const tampered = { ...good, ciphertext: bytes.toString('base64url') };
  assert.equal(await submit('t-1', { kind: 'terminal', sealed: tampered }), 'invalid_message');

  // The laptop's envelope sent over the phone's connection: its author is not the sender.
  const laptops = await laptop.seal(sessionId, 'a-1', { kind: 'terminal', data: 'echo y\r' });
  assert.equal(await submit('a-1', { kind: 'terminal', sealed: laptops }), 'invalid_message');

  // An envelope sealed for this session moved to another one (a second sealed session).
  const other = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...BASH_TERMINAL, host: 'laptop' } },
  );
  assert.equal(other.status, 201);
  const otherId = other.body.session.id;
  const moved = await phone.seal(sessionId, 'm-1', { kind: 'terminal', data: 'echo z\r' });
  await client.subscribe(otherId);
  assert.equal(
    await refusal(client.submit(otherId, 'm-1', { kind: 'terminal', sealed: moved })),
    'invalid_message',
  );

  // A revoked device: its token is refused at once, and its host revokes it in the roster it
  // publishes and rotates the session key (epoch 2), which the revoked device never gets.
  const revoke = await callApi(
    relay.url,
    relay.ownerToken,
    'DELETE',
    `/api/devices/${laptop.identity.deviceId}`,
  );
  assert.equal(revoke.status, 200);
  assert.equal(await refusal(connect(laptop.token)), 'unauthorized');
  const rotated = await waitUntil(async () => {
    const list = await callApi<{ sessions: SessionInfo[] }>(
      relay.url,
      phone.token,
      'GET',
      '/api/sessions',
    );
    const s = list.body.sessions.find((x) => x.id === sessionId);
    return (s?.sealed?.keyEpoch ?? 0) >= 2 && s;
  }, 'the host rotates the session key after the revocation');
  assert.equal(rotated.sealed?.keyEpoch, 2);

  // Nothing of it was stored: neither session's log holds an input event.
  for (const id of [sessionId, otherId]) {
    const { body } = await callApi<{ events: { type: string }[] }>(
      relay.url,
      relay.ownerToken,
      'GET',
      `/api/sessions/${id}/events?after=0`,
    );
    assert.deepEqual(
      body.events.filter((e) => e.type === 'input'),
      [],
      `no input was stored in ${id}`,
    );
  }

  // The phone still gets the new key, and its sealed input under it is taken.
  await phone.fetchKeys(relay.url, sessionId);
  const ok = await phone.seal(sessionId, 'ok-1', { kind: 'terminal', data: 'echo fine\r' });
  const acked = await client.submit(sessionId, 'ok-1', { kind: 'terminal', sealed: ok });
  assert.ok(acked.seq > headSeq);
});

test('a restarted host keeps its keys and counters: the device types again and reads it opened', async (t) => {
  const { sessionId, pairDevice, connect, restartHost } = await sealedRelay(t);
  const phone = await pairDevice('phone');
  const client = await connect(phone.token);
  await client.subscribe(sessionId);
  const type = async (inputId: string, data: string) =>
    client.submit(sessionId, inputId, {
      kind: 'terminal',
      sealed: await phone.seal(sessionId, inputId, { kind: 'terminal', data }),
    });
  await waitUntil(
    async () => (await phone.terminalText(client, sessionId)).includes('$'),
    'the prompt',
  );
  await type('in-1', 'echo FIRST-$((1+1))\r');
  await waitUntil(
    async () => (await phone.terminalText(client, sessionId)).includes('FIRST-2'),
    'the first output',
  );

  await restartHost();
  // The relay starts the session again on the restarted host, under the same key epoch.
  await waitUntil(
    async () => (await phone.terminalText(client, sessionId)).split('$').length > 2,
    'the prompt of the restarted shell',
    20_000,
  );
  await type('in-2', 'echo SECOND-$((2+2))\r');
  await waitUntil(
    async () => (await phone.terminalText(client, sessionId)).includes('SECOND-4'),
    'the output after the restart, opened',
    20_000,
  );
  assert.deepEqual(client.violations, []);
});
