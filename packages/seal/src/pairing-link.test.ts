import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDeviceIdentity } from './device-identity.js';
import {
  acceptIntroduction,
  createIntroduction,
  decodePairingFragment,
  encodePairingFragment,
  newPairingSecret,
  safetyNumber,
} from './pairing-link.js';
import { refusedWith } from './testing/refused-with.js';

async function hostAndLink() {
  const host = await generateDeviceIdentity('d_host');
  const pairingSecret = newPairingSecret();
  const fragment = encodePairingFragment({
    code: '7K3QD-M9XWT',
    host: host.publicKeys,
    pairingSecret,
  });
  return { host, pairingSecret, fragment };
}

test('the pairing fragment carries the host keys and the secret, and reads back', async () => {
  const { host, pairingSecret, fragment } = await hostAndLink();
  const url = `https://relay.example/pair#${fragment}&fp=AB%3ACD`;
  const read = decodePairingFragment(new URL(url).hash);
  assert.deepEqual(read, { code: '7K3QD-M9XWT', host: host.publicKeys, pairingSecret });
  // The secret is in the fragment only: nothing of it reaches the path or query a server sees.
  assert.equal(new URL(url).search, '');
  assert.ok(!new URL(url).pathname.includes(pairingSecret));
});

test('a damaged or incomplete pairing link is refused with what to do', async () => {
  const { fragment } = await hostAndLink();
  const params = new URLSearchParams(fragment);
  const without = (name: string) => {
    const p = new URLSearchParams(params);
    p.delete(name);
    return p.toString();
  };
  for (const bad of [
    '',
    without('ps'),
    without('hk'),
    fragment.replace(/ps=[^&]+/, 'ps=short'),
    `${fragment}&ps=${params.get('ps')}`,
    '%%%',
  ]) {
    assert.throws(() => decodePairingFragment(bad), refusedWith('malformed'));
  }
});

test('the host accepts an introduction made with its link, and refuses one the relay made', async () => {
  const { host, pairingSecret, fragment } = await hostAndLink();
  const phone = await generateDeviceIdentity('d_phone');
  const intro = await createIntroduction(phone, decodePairingFragment(fragment));
  const expected = { hostId: host.deviceId, pairingSecret, deviceId: 'd_phone' };
  assert.deepEqual(await acceptIntroduction(intro, expected), phone.publicKeys);

  // The relay swaps in keys of its own: without the secret its MAC cannot match.
  const relayKeys = await generateDeviceIdentity('d_phone');
  const relayIntro = await createIntroduction(relayKeys, {
    host: host.publicKeys,
    pairingSecret: newPairingSecret(),
  });
  await assert.rejects(acceptIntroduction(relayIntro, expected), refusedWith('bad_signature'));
  // Keeping the phone's MAC but its own keys breaks the MAC too.
  await assert.rejects(
    acceptIntroduction({ ...intro, agreementKey: relayKeys.publicKeys.agreementKey }, expected),
    refusedWith('bad_signature'),
  );
  // Another device id than the one that redeemed the code.
  await assert.rejects(
    acceptIntroduction(intro, { ...expected, deviceId: 'd_other' }),
    refusedWith('context_mismatch'),
  );
  // A stolen MAC with a signature by another key: the device must hold the key it names.
  const other = await createIntroduction(relayKeys, decodePairingFragment(fragment));
  await assert.rejects(
    acceptIntroduction({ ...intro, signature: other.signature }, expected),
    refusedWith('bad_signature'),
  );
  for (const bad of [null, {}, { ...intro, mac: 'x' }, { ...intro, extra: 1 }]) {
    await assert.rejects(acceptIntroduction(bad, expected), refusedWith('malformed'));
  }
});

test('the safety number is the same on both ends and changes with either key', async () => {
  const host = await generateDeviceIdentity('d_host');
  const phone = await generateDeviceIdentity('d_phone');
  const relay = await generateDeviceIdentity('d_phone');
  const number = await safetyNumber(host.publicKeys.signingKey, phone.publicKeys.signingKey);
  assert.match(number, /^\d{4} \d{4} \d{4}$/);
  assert.equal(await safetyNumber(host.publicKeys.signingKey, phone.publicKeys.signingKey), number);
  assert.notEqual(
    await safetyNumber(host.publicKeys.signingKey, relay.publicKeys.signingKey),
    number,
  );
  assert.notEqual(
    await safetyNumber(relay.publicKeys.signingKey, phone.publicKeys.signingKey),
    number,
  );
  await assert.rejects(
    safetyNumber('short', phone.publicKeys.signingKey),
    refusedWith('malformed'),
  );
});
