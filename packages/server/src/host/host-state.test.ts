import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../logger.js';
import { tempDataDir } from '../testing/test-server.js';
import { HostState, pairingOf } from './host-state.js';

const S1 = 's_aaaaaaaaaaaaaaaaaaaa';
const S2 = 's_bbbbbbbbbbbbbbbbbbbb';
const S3 = 's_cccccccccccccccccccc';

test('sessions are named by the pairing that started them, across restarts, and a forgotten one for good', (t) => {
  const data = tempDataDir('baton-host-state-');
  t.after(() => data.remove());
  const log = createLogger('silent');
  const [a, b] = [pairingOf('token-a'), pairingOf('token-b')];
  assert.notEqual(a, b);
  assert.ok(!readFileSyncOr(join(data.dir, 'host-state.json')).includes('token-a'));

  const state = new HostState(data.dir, log);
  state.started(S1, a);
  state.started(S2, a);
  state.started(S3, b);
  state.markTaken(S1, 4);
  assert.deepEqual(state.sessionsOf(a).sort(), [S1, S2]);
  assert.deepEqual(state.sessionsOf(b), [S3]);

  state.forget(S1);
  // What a runner finishes after the delete records nothing, nor does a late start.
  state.markTaken(S1, 5);
  state.started(S1, a);
  assert.equal(state.takenSeq(S1), 0);
  assert.deepEqual(state.sessionsOf(a), [S2]);

  const again = new HostState(data.dir, log);
  assert.deepEqual(again.sessionsOf(a), [S2]);
  assert.deepEqual(again.sessionsOf(b), [S3]);
  assert.equal(again.takenSeq(S1), 0);
  const file = readFileSyncOr(join(data.dir, 'host-state.json'));
  assert.ok(!file.includes(S1), 'the forgotten session is gone from the file');
  assert.ok(!file.includes('token-a'), 'the credential itself is not written');
});

function readFileSyncOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
