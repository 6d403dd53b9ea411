import assert from 'node:assert/strict';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestServer, tempDataDir } from '../testing/test-server.js';

test('a start that fails after taking the data-directory lock releases it', async () => {
  const tmp = tempDataDir();
  try {
    // An owner-token path that cannot be read makes the start fail after the lock is taken.
    const tokenPath = join(tmp.dir, 'owner-token');
    mkdirSync(tokenPath);
    await assert.rejects(startTestServer({ dataDir: tmp.dir }), /EISDIR/);
    rmdirSync(tokenPath);
    // Same process, same directory: the lock and the database of the failed start are gone.
    const server = await startTestServer({ dataDir: tmp.dir });
    await server.stop();
  } finally {
    tmp.remove();
  }
});
