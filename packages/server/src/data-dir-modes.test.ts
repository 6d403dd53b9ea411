import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { DATABASE_FILES, secureDataDir } from './data-dir-modes.js';
import { createLogger } from './logger.js';
import { ProtocolClient } from './testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir } from './testing/test-server.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('file modes of the data directory', () => {
  it('a new data directory is 0700 and the database files 0600, -wal and -shm included', async () => {
    const tmp = tempDataDir();
    const dataDir = join(tmp.dir, 'data');
    const server = await startTestServer({ dataDir });
    try {
      // Some writes, so the WAL and its index exist while the server runs.
      const client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      await client.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await client.close();
      assert.equal(modeOf(dataDir), 0o700);
      for (const name of DATABASE_FILES) {
        const path = join(dataDir, name);
        assert.ok(existsSync(path), `${name} exists while the server runs`);
        assert.equal(modeOf(path), 0o600, name);
      }
      assert.equal(modeOf(join(dataDir, 'owner-token')), 0o600);
    } finally {
      await server.stop();
      tmp.remove();
    }
  });

  it('existing loose modes are tightened at start, each with a log line', () => {
    const tmp = tempDataDir();
    try {
      const dataDir = join(tmp.dir, 'data');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o755);
      for (const name of DATABASE_FILES) {
        writeFileSync(join(dataDir, name), '');
        chmodSync(join(dataDir, name), 0o644);
      }
      const lines: string[] = [];
      secureDataDir(
        dataDir,
        createLogger('info', {}, (l) => lines.push(l)),
      );
      assert.equal(modeOf(dataDir), 0o700);
      for (const name of DATABASE_FILES) assert.equal(modeOf(join(dataDir, name)), 0o600, name);
      assert.equal(lines.length, 4);
      assert.match(lines[0]!, /tightened the mode of .*data .*"was":"0755","now":"0700"/);
    } finally {
      tmp.remove();
    }
  });
});

describe('the owner-token file', () => {
  it('is written (0600) when baton creates the owner token', async () => {
    const tmp = tempDataDir();
    const server = await startTestServer({ dataDir: tmp.dir });
    try {
      assert.equal(readFileSync(join(tmp.dir, 'owner-token'), 'utf8').trim(), server.ownerToken);
      assert.equal(modeOf(join(tmp.dir, 'owner-token')), 0o600);
    } finally {
      await server.stop();
      tmp.remove();
    }
  });

  it('is not written with a fixed token, and a stale one is removed', async () => {
    const tmp = tempDataDir();
    const first = await startTestServer({ dataDir: tmp.dir });
    await first.close();
    assert.ok(existsSync(join(tmp.dir, 'owner-token')), 'the created token was written');
    const fixed = 'fixed-owner-token-from-the-environment';
    const second = await startTestServer({ dataDir: tmp.dir, ownerToken: fixed });
    try {
      assert.equal(second.ownerToken, fixed);
      assert.equal(existsSync(join(tmp.dir, 'owner-token')), false, 'no token file on disk');
      const client = await ProtocolClient.connect(second.wsUrl, fixed);
      await client.close();
    } finally {
      await second.stop();
      tmp.remove();
    }
  });
});
