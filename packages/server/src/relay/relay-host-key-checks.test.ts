import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import {
  HOST_LINK_PATH,
  HOST_LINK_VERSION,
  HostLinkClose,
  PairingRedeemed,
  type HostKeys,
  type RelayMessage,
} from '@baton/protocol';
import {
  createIntroduction,
  generateDeviceIdentity,
  hostKeyProofInput,
  newPairingSecret,
  signHostKeyProof,
  type DeviceIdentity,
} from '@baton/seal';
import {
  IDENTITY_KEY_FORGERY,
  WEAK_AGREEMENT_KEYS,
  WEAK_SIGNING_KEYS,
  opensslKeys,
} from '@baton/seal/testing';
import { callApi } from '../testing/http-api.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';

/**
 * The relay's checks of the keys a host registers (docs/security.md, "Key checks"): weak keys
 * are refused at `host.hello` and in introductions, and a host proves it holds the signing key
 * it registers. Real relay, raw host-link WebSockets (a real host never sends such keys).
 */

interface HelloAnswer {
  welcomed: boolean;
  closeCode: number | undefined;
  error: string;
  frames: RelayMessage[];
  ws: WebSocket;
}

/**
 * Says one `host.hello` and waits for the welcome or the close. The socket joins `sockets` at
 * once, so a test that fails while waiting still closes it (else the relay waits for it).
 */
async function sayHello(
  relayUrl: string,
  frame: Record<string, unknown>,
  sockets: WebSocket[],
): Promise<HelloAnswer> {
  const ws = new WebSocket(relayUrl.replace(/^http/, 'ws') + HOST_LINK_PATH);
  sockets.push(ws);
  const answer: HelloAnswer = { welcomed: false, closeCode: undefined, error: '', frames: [], ws };
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as RelayMessage;
    answer.frames.push(f);
    if (f.type === 'host.welcome') answer.welcomed = true;
    if (f.type === 'error') answer.error = f.error.message;
    if ('ref' in f && f.type !== 'read.result')
      ws.send(JSON.stringify({ type: 'host.reply', ref: f.ref }));
  });
  ws.on('close', (code) => (answer.closeCode = code));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(
    JSON.stringify({ type: 'host.hello', version: HOST_LINK_VERSION, running: [], ...frame }),
  );
  await waitUntil(
    () => answer.welcomed || answer.closeCode !== undefined,
    'the relay answers the hello',
  );
  return answer;
}

/** A relay on port 0 and a `hello` to it; its sockets and the relay close after the test. */
async function relayFor(t: TestContext) {
  const relay = await startTestServer({ relay: true });
  const sockets: WebSocket[] = [];
  t.after(async () => {
    for (const ws of sockets) ws.terminate();
    await relay.stop();
  });
  return {
    relay,
    hello: (frame: Record<string, unknown>) => sayHello(relay.url, frame, sockets),
  };
}

async function ownerToken(relayUrl: string, owner: string, deviceName: string) {
  const pairing = await callApi<{ code: string }>(relayUrl, owner, 'POST', '/api/pairings', {
    role: 'owner',
  });
  const redeemed = await callApi(relayUrl, '', 'POST', '/api/pairings/redeem', {
    code: pairing.body.code,
    deviceName,
  });
  assert.equal(redeemed.status, 201, JSON.stringify(redeemed.body));
  return PairingRedeemed.parse(redeemed.body);
}

const keysOf = (identity: DeviceIdentity): HostKeys => ({
  signingKey: identity.publicKeys.signingKey,
  agreementKey: identity.publicKeys.agreementKey,
});

test('host.hello with a weak key is refused (4400) and nothing is pinned', async (t) => {
  const { relay, hello } = await relayFor(t);
  const host = await generateDeviceIdentity('host');
  const { deviceToken: token } = await ownerToken(relay.url, relay.ownerToken, 'laptop');
  const good = keysOf(host);
  const attempts = [
    ...WEAK_SIGNING_KEYS.map((w) => ({
      what: `signingKey ${w.what}`,
      keys: { ...good, signingKey: w.key },
    })),
    ...WEAK_AGREEMENT_KEYS.map((w) => ({
      what: `agreementKey ${w.what}`,
      keys: { ...good, agreementKey: w.key },
    })),
  ];
  for (const { what, keys } of attempts) {
    // The best proof each can bring: under the identity key, R = identity, S = 0 verifies, so
    // only the weak-key check refuses that one; the others carry the host's real proof.
    const proof =
      keys.signingKey === WEAK_SIGNING_KEYS[0]!.key
        ? IDENTITY_KEY_FORGERY
        : await signHostKeyProof(host.signing.privateKey, token, keys);
    const answer = await hello({ token, keys, proof });
    assert.equal(answer.welcomed, false, `${what}: not welcomed`);
    assert.equal(answer.closeCode, HostLinkClose.BadFrame, `${what}: closed 4400`);
    assert.match(answer.error, /small order|low order|canonical/, what);
    assert.match(answer.error, /pair that device again/, `${what}: says what to do`);
  }
  // Nothing was pinned by them: the grant still registers the host's own keys.
  const own = await hello({
    token,
    keys: good,
    proof: await signHostKeyProof(host.signing.privateKey, token, good),
  });
  assert.ok(own.welcomed, own.error);
});

test('a host proves it holds the key it registers; openssl-made keys register', async (t) => {
  const { relay, hello } = await relayFor(t);
  const victim = await generateDeviceIdentity('victim');
  const thief = await generateDeviceIdentity('thief');
  const { deviceToken: token } = await ownerToken(relay.url, relay.ownerToken, 'laptop');
  const other = await ownerToken(relay.url, relay.ownerToken, 'elsewhere');
  const victimKeys = keysOf(victim);
  const refusals: [string, Record<string, unknown>, number][] = [
    ['no proof', { token, keys: victimKeys }, HostLinkClose.BadFrame],
    [
      "another's public keys, proved with the thief's own key",
      {
        token,
        keys: victimKeys,
        proof: await signHostKeyProof(thief.signing.privateKey, token, victimKeys),
      },
      HostLinkClose.BadFrame,
    ],
    [
      'a proof made for another grant',
      {
        token,
        keys: victimKeys,
        proof: await signHostKeyProof(victim.signing.privateKey, other.deviceToken, victimKeys),
      },
      HostLinkClose.BadFrame,
    ],
    [
      'a proof over other agreement key',
      {
        token,
        keys: victimKeys,
        proof: await signHostKeyProof(victim.signing.privateKey, token, keysOf(thief)),
      },
      HostLinkClose.BadFrame,
    ],
    // A version 4 host proves nothing: it may not make a first registration.
    [
      'version 4, first registration',
      { version: 4, token, keys: victimKeys },
      HostLinkClose.UnsupportedVersion,
    ],
  ];
  for (const [what, frame, code] of refusals) {
    const answer = await hello(frame);
    assert.equal(answer.welcomed, false, `${what}: not welcomed`);
    assert.equal(answer.closeCode, code, `${what}: ${answer.error}`);
  }

  // Keys made by openssl, proved with node:crypto over the same bytes: registered.
  const openssl = opensslKeys();
  const keys = { signingKey: openssl.signingKey, agreementKey: openssl.agreementKey };
  const proof = sign(
    null,
    hostKeyProofInput(token, keys),
    createPrivateKey(openssl.signingPrivatePem),
  ).toString('base64url');
  const registered = await hello({ token, keys, proof });
  assert.ok(registered.welcomed, registered.error);
  // Once pinned, a version 4 host with those same keys still connects (it predates proofs).
  registered.ws.terminate();
  const legacy = await hello({ version: 4, token, keys });
  assert.ok(legacy.welcomed, legacy.error);
});

test('the relay refuses an introduction of a weak key and never hands it to the host', async (t) => {
  const { relay, hello } = await relayFor(t);
  const host = await generateDeviceIdentity('host');
  const { deviceToken: token, deviceId: hostId } = await ownerToken(
    relay.url,
    relay.ownerToken,
    'laptop',
  );
  const link = await hello({
    token,
    keys: keysOf(host),
    proof: await signHostKeyProof(host.signing.privateKey, token, keysOf(host)),
    sealed: true,
  });
  assert.ok(link.welcomed, link.error);
  const phone = await ownerToken(relay.url, relay.ownerToken, 'phone');
  const identity = await generateDeviceIdentity(phone.deviceId);
  const pairing = {
    host: { ...host.publicKeys, deviceId: hostId },
    pairingSecret: newPairingSecret(),
  };
  const weak = [
    ...WEAK_SIGNING_KEYS.map((w) => ({
      what: `signingKey ${w.what}`,
      field: 'signingKey',
      key: w.key,
    })),
    ...WEAK_AGREEMENT_KEYS.map((w) => ({
      what: `agreementKey ${w.what}`,
      field: 'agreementKey',
      key: w.key,
    })),
  ];
  for (const { what, field, key } of weak) {
    const impostor = { ...identity, publicKeys: { ...identity.publicKeys, [field]: key } };
    const introduction = await createIntroduction(impostor, pairing);
    const answer = await callApi(
      relay.url,
      phone.deviceToken,
      'POST',
      `/api/hosts/${hostId}/introductions`,
      {
        introduction,
      },
    );
    assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
    assert.match(answer.body.error?.message ?? '', /small order|low order|canonical/, what);
  }
  // The phone's real keys are taken (202) and reach the host: the route itself works.
  const real = await callApi(
    relay.url,
    phone.deviceToken,
    'POST',
    `/api/hosts/${hostId}/introductions`,
    {
      introduction: await createIntroduction(identity, pairing),
    },
  );
  assert.equal(real.status, 202, JSON.stringify(real.body));
  await waitUntil(
    () => link.frames.some((f) => f.type === 'intro'),
    'the real introduction reaches the host',
  );
  const intros = link.frames.filter(
    (f): f is Extract<RelayMessage, { type: 'intro' }> => f.type === 'intro',
  );
  assert.deepEqual(
    intros.map((f) => f.introduction.signingKey),
    [identity.publicKeys.signingKey],
    'only the real introduction reached the host',
  );
});
