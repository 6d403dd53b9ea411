import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { tempDataDir } from '../testing/test-server.js';
import { SqliteStore } from './sqlite-store.js';
import { storeConformance } from './store-conformance.js';

storeConformance('SqliteStore', () => {
  const dir = tempDataDir('baton-store-');
  const store = new SqliteStore(join(dir.dir, 'baton.db'));
  return Promise.resolve({
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  });
});

test('durability modes set synchronous; background checkpoints turn the automatic one off', async () => {
  const dir = tempDataDir('baton-store-');
  try {
    const normal = new SqliteStore(join(dir.dir, 'a.db'));
    assert.deepEqual(normal.settings(), { synchronous: 'NORMAL', walAutocheckpoint: 0 });
    await normal.close();
    const full = new SqliteStore(join(dir.dir, 'b.db'), { durability: 'full' });
    assert.deepEqual(full.settings(), { synchronous: 'FULL', walAutocheckpoint: 0 });
    await full.close();
    const inline = new SqliteStore(join(dir.dir, 'c.db'), { checkpoints: 'inline' });
    assert.deepEqual(inline.settings(), { synchronous: 'NORMAL', walAutocheckpoint: 1000 });
    await inline.close();
  } finally {
    dir.remove();
  }
});
