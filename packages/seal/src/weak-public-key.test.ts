import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { test } from 'node:test';
import { fromBase64url } from './base64url.js';
import { DeviceRegistry } from './device-registry.js';
import {
  generateDeviceIdentity,
  importAgreementKey,
  importSigningKey,
  type DeviceIdentity,
  type DevicePublicKeys,
} from './device-identity.js';
import { applyRoster, signRoster } from './device-roster.js';
import {
  acceptIntroduction,
  createIntroduction,
  decodePairingFragment,
  encodePairingFragment,
  newPairingSecret,
} from './pairing-link.js';
import { refuseWeakKeys } from './weak-public-key.js';
import { opensslKeys } from './testing/openssl-keys.js';
import { refusedWith } from './testing/refused-with.js';
import {
  IDENTITY_KEY_FORGERY,
  WEAK_AGREEMENT_KEYS,
  WEAK_SIGNING_KEYS,
  type WeakKey,
} from './testing/weak-keys.js';

const sync = (fn: () => unknown) => async () => {
  fn();
  await Promise.resolve();
};

/** Every weak key in the place of one of `good`'s two keys. */
function weakened(good: DevicePublicKeys): { what: string; keys: DevicePublicKeys }[] {
  const swap = (field: 'signingKey' | 'agreementKey') => (w: WeakKey) => ({
    what: `${field} ${w.what}`,
    keys: { ...good, [field]: w.key },
  });
  return [
    ...WEAK_SIGNING_KEYS.map(swap('signingKey')),
    ...WEAK_AGREEMENT_KEYS.map(swap('agreementKey')),
  ];
}

test('why: under the identity key, one forged signature verifies for every message', (t) => {
  // The attack the check exists for, shown on node:crypto's own Ed25519 (cofactorless). Node 20
  // and 22 verify the forgery (measured: OpenSSL 3.0.19 and 3.5.9); Node 24 refuses the
  // identity key itself. A verifier that does not check the key's order says the same for every
  // message: the signature proves nothing about what was signed.
  const identity = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: WEAK_SIGNING_KEYS[0]!.key },
    format: 'jwk',
  });
  const verdicts = ['rm -rf ~', 'anything at all'].map((message) =>
    verify(null, Buffer.from(message), identity, fromBase64url(IDENTITY_KEY_FORGERY)!),
  );
  assert.equal(new Set(verdicts).size, 1, `the same verdict for every message: ${verdicts}`);
  if (Number(process.versions.node.split('.')[0]) <= 22)
    assert.ok(verdicts[0], 'Node 20 and 22 verify the forged signature');
  else if (!verdicts[0])
    t.diagnostic(
      `Node ${process.version} refuses the identity key itself; earlier runtimes do not`,
    );
});

test('the listed X25519 keys are low order: a key agreement with each is refused or all zero', async () => {
  const subtle = globalThis.crypto.subtle;
  const mine = (await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as {
    privateKey: Parameters<typeof subtle.deriveBits>[1];
  };
  for (const w of WEAK_AGREEMENT_KEYS) {
    const key = await subtle.importKey('raw', fromBase64url(w.key)!, { name: 'X25519' }, true, []);
    const shared = await subtle
      .deriveBits({ name: 'X25519', public: key }, mine.privateKey, 256)
      .then(
        (bits) => new Uint8Array(bits),
        () => new Uint8Array(32),
      );
    assert.ok(
      shared.every((b) => b === 0),
      w.what,
    );
  }
});

test('every small-order, non-canonical or low-order key is refused with weak_key', async () => {
  const good = (await generateDeviceIdentity('d_phone')).publicKeys;
  for (const { what, keys } of weakened(good)) {
    await assert.rejects(
      sync(() => refuseWeakKeys(keys, 'device d_phone')),
      refusedWith('weak_key'),
      what,
    );
  }
  for (const w of WEAK_SIGNING_KEYS) {
    await assert.rejects(importSigningKey(w.key), refusedWith('weak_key'), w.what);
  }
  for (const w of WEAK_AGREEMENT_KEYS) {
    await assert.rejects(importAgreementKey(w.key), refusedWith('weak_key'), w.what);
  }
});

test('keys made by WebCrypto and by the openssl CLI are accepted', async () => {
  for (let i = 0; i < 20; i++) {
    refuseWeakKeys((await generateDeviceIdentity(`d_${i}`)).publicKeys, 'a generated device');
    const openssl = opensslKeys();
    refuseWeakKeys(openssl, 'an openssl device');
    await importSigningKey(openssl.signingKey);
    await importAgreementKey(openssl.agreementKey);
  }
});

test('a registry never takes a weak key', async () => {
  const good = (await generateDeviceIdentity('d_phone')).publicKeys;
  for (const { what, keys } of weakened(good)) {
    const registry = new DeviceRegistry();
    await assert.rejects(
      sync(() => registry.add(keys)),
      refusedWith('weak_key'),
      what,
    );
    assert.equal(registry.get('d_phone'), undefined, what);
  }
});

test('a pairing link with a weak host key is refused, so the device never pins it', async () => {
  const host = (await generateDeviceIdentity('d_host')).publicKeys;
  for (const { what, keys } of weakened(host)) {
    const fragment = encodePairingFragment({ host: keys, pairingSecret: newPairingSecret() });
    await assert.rejects(
      sync(() => decodePairingFragment(fragment)),
      refusedWith('weak_key'),
      what,
    );
  }
});

test('an introduction of a weak key is refused, even one whose forged signature verifies', async () => {
  const host = await generateDeviceIdentity('d_host');
  const pairingSecret = newPairingSecret();
  const pairing = { host: host.publicKeys, pairingSecret };
  const real = await generateDeviceIdentity('d_phone');
  for (const { what, keys } of weakened(real.publicKeys)) {
    // MACed with the real secret (the introducer saw the link), so only the key check stands.
    const impostor: DeviceIdentity = { ...real, publicKeys: keys };
    let intro = await createIntroduction(impostor, pairing);
    if (keys.signingKey === WEAK_SIGNING_KEYS[0]!.key) {
      // Under the identity key this signature verifies: without the check the host would
      // register a device whose every signature proves nothing.
      intro = { ...intro, signature: IDENTITY_KEY_FORGERY };
    }
    await assert.rejects(
      acceptIntroduction(intro, { hostId: 'd_host', pairingSecret }),
      refusedWith('weak_key'),
      what,
    );
  }
});

test('a roster the host signed that lists a weak key is refused, and nothing of it applies', async () => {
  const host = await generateDeviceIdentity('d_host');
  const phone = (await generateDeviceIdentity('d_phone')).publicKeys;
  for (const { what, keys } of weakened({ ...phone, deviceId: 'd_evil' })) {
    // A registry refuses weak keys, so the roster is signed from a stand-in that lists them.
    const listing = {
      all: () => [host.publicKeys, phone, keys],
      revocationOf: () => undefined,
    } as unknown as DeviceRegistry;
    const roster = await signRoster(host, listing, 2);
    const registry = new DeviceRegistry();
    await assert.rejects(
      applyRoster(registry, roster, { host: host.publicKeys, appliedVersion: 1 }),
      refusedWith('weak_key'),
      what,
    );
    assert.equal(registry.get('d_phone'), undefined, `${what}: no device of it applied`);
  }
});
