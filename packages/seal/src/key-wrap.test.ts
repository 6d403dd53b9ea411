import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDeviceIdentity } from './device-identity.js';
import { DeviceRegistry } from './device-registry.js';
import { unwrapSessionKey, wrapSessionKey } from './key-wrap.js';
import { generateSessionKey } from './session-key.js';
import { refusedWith } from './testing/refused-with.js';

const S1 = 's_aaaaaaaaaaaaaaaaaaaa';

async function setup() {
  const host = await generateDeviceIdentity('d_host');
  const phone = await generateDeviceIdentity('d_phone');
  const registry = new DeviceRegistry();
  registry.add(host.publicKeys);
  registry.add(phone.publicKeys);
  const key = await generateSessionKey(S1, 1);
  return { host, phone, registry, key };
}

test('a wrapped session key opens on its recipient, as the same key, non-extractable', async () => {
  const { host, phone, registry, key } = await setup();
  const wrapped = await wrapSessionKey(host, key, phone.publicKeys);
  assert.equal(wrapped.recipient, 'd_phone');
  assert.equal(wrapped.keyEpoch, 1);
  const unwrapped = await unwrapSessionKey(phone, wrapped, { registry, expectedWrapper: 'd_host' });
  assert.equal(unwrapped.key.extractable, false);
  assert.equal(unwrapped.epoch, 1);
  const iv = new Uint8Array(12);
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    key.key,
    new Uint8Array([7]),
  );
  const opened = await globalThis.crypto.subtle.decrypt(
    { name: 'AES-GCM', iv },
    unwrapped.key,
    sealed,
  );
  assert.deepEqual(new Uint8Array(opened), new Uint8Array([7]));
  // Each wrap has its own ephemeral key: two wraps of one key share nothing visible.
  const again = await wrapSessionKey(host, key, phone.publicKeys);
  assert.notEqual(again.ephemeralKey, wrapped.ephemeralKey);
  assert.notEqual(again.ciphertext, wrapped.ciphertext);
});

test('a key wrapped by anyone but the session host is refused (a relay cannot plant a key)', async () => {
  const { phone, registry, key } = await setup();
  // The relay knows the phone's public key and wraps a key of its own, claiming the host's name.
  const relay = await generateDeviceIdentity('d_host');
  const planted = await wrapSessionKey(relay, key, phone.publicKeys);
  await assert.rejects(
    unwrapSessionKey(phone, planted, { registry, expectedWrapper: 'd_host' }),
    refusedWith('bad_signature'),
  );
  // Under its own name it is not the session's host.
  const relayNamed = await generateDeviceIdentity('d_relay');
  registry.add(relayNamed.publicKeys);
  const own = await wrapSessionKey(relayNamed, key, phone.publicKeys);
  await assert.rejects(
    unwrapSessionKey(phone, own, { registry, expectedWrapper: 'd_host' }),
    refusedWith('context_mismatch'),
  );
});

test('a wrapped key moved to another session or epoch, or altered, is refused', async () => {
  const { host, phone, registry, key } = await setup();
  const wrapped = await wrapSessionKey(host, key, phone.publicKeys);
  const options = { registry, expectedWrapper: 'd_host' };
  await assert.rejects(
    unwrapSessionKey(phone, { ...wrapped, session: 's_bbbbbbbbbbbbbbbbbbbb' }, options),
    refusedWith('bad_signature'),
  );
  await assert.rejects(
    unwrapSessionKey(phone, { ...wrapped, keyEpoch: 2 }, options),
    refusedWith('bad_signature'),
  );
  const flipped = wrapped.ciphertext.startsWith('A')
    ? 'B' + wrapped.ciphertext.slice(1)
    : 'A' + wrapped.ciphertext.slice(1);
  await assert.rejects(
    unwrapSessionKey(phone, { ...wrapped, ciphertext: flipped }, options),
    refusedWith('bad_signature'),
  );
  for (const bad of [null, {}, { ...wrapped, ephemeralKey: 'short' }, { ...wrapped, v: 2 }]) {
    await assert.rejects(unwrapSessionKey(phone, bad, options), refusedWith('malformed'));
  }
});
