import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDeviceIdentity } from './device-identity.js';
import { DeviceRegistry } from './device-registry.js';
import { applyRoster, signRoster } from './device-roster.js';
import { refusedWith } from './testing/refused-with.js';

async function hostWithDevices() {
  const host = await generateDeviceIdentity('d_host');
  const phone = await generateDeviceIdentity('d_phone');
  const laptop = await generateDeviceIdentity('d_laptop');
  const registry = new DeviceRegistry();
  for (const d of [host, phone, laptop]) registry.add(d.publicKeys);
  return { host, phone, laptop, registry };
}

test("a device learns the other devices' keys and revocations from the host's signed roster", async () => {
  const { host, laptop, registry } = await hostWithDevices();
  const trusted = { host: host.publicKeys, appliedVersion: 0 };
  const phoneRegistry = new DeviceRegistry();
  const v1 = await applyRoster(phoneRegistry, await signRoster(host, registry, 1), trusted);
  assert.equal(v1, 1);
  assert.deepEqual(phoneRegistry.get('d_laptop'), laptop.publicKeys);
  assert.equal(phoneRegistry.isRevoked('d_laptop'), false);

  registry.revoke('d_laptop', { cutoffs: { s_a: 4 } });
  const v2 = await applyRoster(phoneRegistry, await signRoster(host, registry, 2), {
    ...trusted,
    appliedVersion: v1,
  });
  assert.equal(v2, 2);
  assert.deepEqual(phoneRegistry.revocationOf('d_laptop'), { cutoffs: { s_a: 4 } });
  await phoneRegistry.signingKeyFor('d_laptop', 's_a', 4);
  await assert.rejects(
    phoneRegistry.signingKeyFor('d_laptop', 's_a', 5),
    refusedWith('revoked_device'),
  );
  // A session named like an Object.prototype member has no cut-off, so nothing counts there.
  await assert.rejects(
    phoneRegistry.signingKeyFor('d_laptop', 'constructor', 1),
    refusedWith('revoked_device'),
  );
});

test('a roster the relay made, altered, or replayed from before is refused', async () => {
  const { host, registry } = await hostWithDevices();
  const trusted = { host: host.publicKeys, appliedVersion: 0 };
  const roster = await signRoster(host, registry, 3);

  // The relay gives the laptop a key of its own and signs with its own key under the host's name.
  const relay = await generateDeviceIdentity('d_host');
  const relayLaptop = await generateDeviceIdentity('d_laptop');
  const relayRegistry = new DeviceRegistry();
  relayRegistry.add(relayLaptop.publicKeys);
  await assert.rejects(
    applyRoster(new DeviceRegistry(), await signRoster(relay, relayRegistry, 9), trusted),
    refusedWith('bad_signature'),
  );
  // Altering a signed roster: a swapped key, a dropped revocation, a raised version.
  const swapped = {
    ...roster,
    devices: roster.devices.map((d) =>
      d.deviceId === 'd_laptop' ? { ...d, signingKey: relayLaptop.publicKeys.signingKey } : d,
    ),
  };
  await assert.rejects(
    applyRoster(new DeviceRegistry(), swapped, trusted),
    refusedWith('bad_signature'),
  );
  await assert.rejects(
    applyRoster(new DeviceRegistry(), { ...roster, version: 4 }, trusted),
    refusedWith('bad_signature'),
  );
  registry.revoke('d_phone', { cutoffs: {} });
  const withRevocation = await signRoster(host, registry, 4);
  await assert.rejects(
    applyRoster(new DeviceRegistry(), { ...withRevocation, revoked: [] }, trusted),
    refusedWith('bad_signature'),
  );
  // An old roster (from before a revocation) replayed to a device that has a newer one.
  const device = new DeviceRegistry();
  const applied = await applyRoster(device, withRevocation, trusted);
  await assert.rejects(
    applyRoster(device, roster, { ...trusted, appliedVersion: applied }),
    refusedWith('replayed'),
  );
  assert.equal(device.isRevoked('d_phone'), true);
  for (const bad of [null, {}, { ...roster, signature: 'x' }, { ...roster, extra: 1 }]) {
    await assert.rejects(applyRoster(new DeviceRegistry(), bad, trusted), refusedWith('malformed'));
  }
});

test('a roster cannot re-key a device the registry already knows', async () => {
  const { host, registry } = await hostWithDevices();
  const device = new DeviceRegistry();
  const impostor = await generateDeviceIdentity('d_laptop');
  device.add(impostor.publicKeys);
  await assert.rejects(
    applyRoster(device, await signRoster(host, registry, 1), {
      host: host.publicKeys,
      appliedVersion: 0,
    }),
    refusedWith('context_mismatch'),
  );
  // Nothing of the refused roster was applied.
  assert.equal(device.get('d_phone'), undefined);
});
