import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../storage/sqlite-store.js';
import { tempDataDir } from '../testing/test-server.js';
import { DeviceRegistry } from './device-registry.js';

test('a refresh whose reads overlap a pairing on this node keeps the paired device', async () => {
  const dir = tempDataDir();
  const store = new SqliteStore(join(dir.dir, 'baton.db'));
  try {
    const { registry } = await DeviceRegistry.open(store, dir.dir, undefined);
    const before = await registry.register('desk', 'owner');
    // The pairing lands between the refresh's read of the devices and its replacing the maps:
    // the rows it read are from before the pairing (as with PostgreSQL, where each read yields).
    let paired: Awaited<ReturnType<DeviceRegistry['register']>> | undefined;
    const listDevices = store.listDevices.bind(store);
    store.listDevices = async () => {
      const rows = await listDevices();
      paired = await registry.register('phone', 'editor');
      return rows;
    };
    await registry.refresh();
    assert.ok(paired);
    assert.equal(registry.authenticate(paired.token)?.name, 'phone');
    assert.equal(registry.authenticate(before.token)?.name, 'desk');

    // With nothing changed here during its reads, a refresh takes what the store holds: a device
    // paired through the store alone (another node) is known from then on.
    store.listDevices = listDevices;
    const elsewhere = {
      id: 'd_elsewhere',
      name: 'tablet',
      tokenHash: 'h'.repeat(64),
      createdAt: Date.now(),
      lastSeenAt: Date.now(),
      role: 'viewer' as const,
    };
    await store.insertDevice(elsewhere);
    assert.equal(registry.current('d_elsewhere'), undefined);
    await registry.refresh();
    assert.equal(registry.current('d_elsewhere')?.name, 'tablet');
    assert.equal(registry.authenticate(paired.token)?.name, 'phone');
  } finally {
    await store.close();
    dir.remove();
  }
});
