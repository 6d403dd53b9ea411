import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  PairingRedeemed,
  type InputPayload,
  type SessionInfo,
  type SessionKeysResponse,
  type WireInputPayload,
} from '@baton/protocol';
import {
  AuthorCounter,
  CounterGuard,
  DeviceRegistry,
  KeyRing,
  applyRoster,
  createIntroduction,
  decodePairingFragment,
  generateDeviceIdentity,
  openEnvelope,
  sealEnvelope,
  unwrapSessionKey,
  type DeviceIdentity,
  type DevicePublicKeys,
  type SealedEnvelope,
} from '@baton/seal';
import { pairDeviceWithHost } from '../host/pair-device.js';
import { startHost } from '../host/start-host.js';
import { callApi } from '../testing/http-api.js';
import { ProtocolClient, refusal } from '../testing/protocol-client.js';
import { BASH_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

/**
 * Sealed sessions end to end (docs/protocol.md, "Sealed sessions"): a real relay, a real host
 * and its shell, and a device played by a raw WebSocket client with @baton/seal. The relay
 * stores and fans out envelopes it cannot open, and refuses what its public keys show forged.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Typed by the device (never echoed in the clear: the shell's echo is sealed too). */
const TYPED = 'TYPED-7f3a9c-MARKER';
/** Only the shell's output holds it: `$((6*7))` is computed on the host. */
const OUTPUT = 'OUTPUT-MARKER-42';

class Device {
  readonly registry = new DeviceRegistry();
  readonly ring = new KeyRing();
  readonly guard = new CounterGuard();
  readonly own = new AuthorCounter();
  rosterVersion = 0;
  constructor(
    readonly identity: DeviceIdentity,
    readonly token: string,
    readonly host: DevicePublicKeys,
  ) {
    this.registry.add(host);
  }

  /** Fetches the roster and keys (checked with the host keys from the link) from the relay. */
  async fetchKeys(url: string, sessionId: string): Promise<number> {
    const { status, body } = await callApi<SessionKeysResponse>(
      url,
      this.token,
      'GET',
      `/api/sessions/${sessionId}/keys`,
    );
    assert.equal(status, 200);
    if (body.roster && body.roster.version > this.rosterVersion)
      this.rosterVersion = await applyRoster(this.registry, body.roster, {
        host: this.host,
        appliedVersion: this.rosterVersion,
      });
    for (const w of body.wrapped)
      this.ring.add(
        await unwrapSessionKey(this.identity, w, {
          registry: this.registry,
          expectedWrapper: this.host.deviceId,
        }),
      );
    return body.wrapped.length;
  }

  seal(sessionId: string, inputId: string, payload: InputPayload): Promise<SealedEnvelope> {
    return sealEnvelope({
      identity: this.identity,
      sessionKey: this.ring.current(sessionId)!,
      kind: 'input',
      id: inputId,
      counter: this.own.next(sessionId),
      plaintext: encoder.encode(JSON.stringify(payload)),
    });
  }

  /** The terminal output of every sealed event the client received, opened in order. */
  async terminalText(client: ProtocolClient, sessionId: string): Promise<string> {
    let text = '';
    const guard = new CounterGuard();
    for (const e of client.skipped) {
      const sealed = (e.data as { sealed?: SealedEnvelope }).sealed;
      if (!sealed || e.type !== 'terminal.output') continue;
      const opened = await openEnvelope(
        sealed,
        { session: sessionId, kind: 'event', id: sealed.id, author: this.host.deviceId },
        { registry: this.registry, keyRing: this.ring, counters: guard },
      );
      text += (JSON.parse(decoder.decode(opened.plaintext)) as { data: string }).data;
    }
    return text;
  }
}

async function sealedRelay(t: TestContext) {
  const relayDir = tempDataDir('baton-relay-');
  const logs: string[] = [];
  const relay = await startTestServer({
    relay: true,
    dataDir: relayDir.dir,
    logLevel: 'debug',
    logSink: (line) => logs.push(line),
  });
  const hostDir = tempDataDir('baton-host-');
  const pairing = await callApi<{ code: string }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/pairings',
    { role: 'owner' },
  );
  let hostId: string | undefined;
  let online = 0;
  const start = (code?: string) =>
    startHost({
      relay: relay.url,
      dataDir: hostDir.dir,
      ...(code !== undefined ? { code } : {}),
      name: 'laptop',
      logLevel: 'silent',
      onOnline: (id) => {
        hostId = id;
        online++;
      },
    });
  let host = await start(pairing.body.code);
  const clients: ProtocolClient[] = [];
  t.after(async () => {
    for (const c of clients) c.ws.close();
    await host.close();
    await relay.close();
    relayDir.remove();
    hostDir.remove();
  });
  await waitUntil(() => hostId, 'the relay welcomes the host');
  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...BASH_TERMINAL, host: 'laptop' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sessionId = created.body.session.id;
  assert.deepEqual(created.body.session.sealed?.hostId, hostId, 'the session is sealed');

  /** Pairs a device by link: redeem the code, introduce its keys, get the session key. */
  const pairDevice = async (name: string): Promise<Device> => {
    const { link } = await pairDeviceWithHost({ relay: relay.url, dataDir: hostDir.dir });
    const fromLink = decodePairingFragment(new URL(link).hash);
    const redeemed = await callApi(relay.url, '', 'POST', '/api/pairings/redeem', {
      code: fromLink.code,
      deviceName: name,
    });
    assert.equal(redeemed.status, 201, JSON.stringify(redeemed.body));
    const { deviceId, deviceToken } = PairingRedeemed.parse(redeemed.body);
    const identity = await generateDeviceIdentity(deviceId);
    const introduced = await callApi(
      relay.url,
      deviceToken,
      'POST',
      `/api/hosts/${fromLink.host.deviceId}/introductions`,
      { introduction: await createIntroduction(identity, fromLink) },
    );
    assert.equal(introduced.status, 202, JSON.stringify(introduced.body));
    const device = new Device(identity, deviceToken, fromLink.host);
    await waitUntil(
      async () => (await device.fetchKeys(relay.url, sessionId)) > 0,
      `${name} gets the session key`,
    );
    return device;
  };
  const connect = async (token: string) => {
    const c = await ProtocolClient.connect(relay.wsUrl, token, 'tab');
    clients.push(c);
    return c;
  };
  /** Stops the host and starts it again on its data directory (its keys and counters). */
  const restartHost = async () => {
    await host.close();
    const before = online;
    host = await start();
    await waitUntil(() => online > before, 'the restarted host is welcomed');
  };
  return { relay, relayDir, logs, sessionId, hostId: hostId!, pairDevice, connect, restartHost };
}

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
