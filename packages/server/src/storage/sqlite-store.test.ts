import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, readlinkSync } from 'node:fs';
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

test('a database it cannot use is refused with a clear error and its file is released', async () => {
  const dir = tempDataDir('baton-store-');
  try {
    const file = join(dir.dir, 'baton.db');
    const first = new SqliteStore(file);
    await first.setMeta('schema_version', '999');
    await first.close();
    const openHandles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
        } catch {
          return false; // closed between the listing and the look
        }
      }).length;
    assert.throws(() => new SqliteStore(file), /written by a newer baton/);
    assert.equal(openHandles(), 0, 'no handle on baton.db is left open after the refusal');
  } finally {
    dir.remove();
  }
});
