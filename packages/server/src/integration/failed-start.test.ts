import assert from 'node:assert/strict';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { SessionInfo } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir } from '../testing/test-server.js';

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

test('a start that fails while loading sessions does not give them a new epoch', async () => {
  const tmp = tempDataDir();
  try {
    const first = await startTestServer({ dataDir: tmp.dir });
    const c = await ProtocolClient.connect(first.wsUrl, first.ownerToken);
    const { session } = await c.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    });
    await c.close();
    await first.stop();

    // A session whose stored config cannot be read makes the load fail.
    const db = new Database(join(tmp.dir, 'baton.db'));
    const { config } = db.prepare('SELECT config FROM sessions WHERE id = ?').get(session.id) as {
      config: string;
    };
    db.prepare('UPDATE sessions SET config = ? WHERE id = ?').run('{not json', session.id);
    db.close();
    await assert.rejects(startTestServer({ dataDir: tmp.dir }), SyntaxError);

    const fixed = new Database(join(tmp.dir, 'baton.db'));
    fixed.prepare('UPDATE sessions SET config = ? WHERE id = ?').run(config, session.id);
    fixed.close();
    const again = await startTestServer({ dataDir: tmp.dir });
    try {
      assert.equal(again.hub.get(session.id).epoch, session.epoch, 'the epoch is kept');
    } finally {
      await again.stop();
    }
  } finally {
    tmp.remove();
  }
});
