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
