import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLEAN_ENV, runBaton } from './run-baton.test-helper.js';

test('baton join refuses a missing or broken link, and keys for a relay it has no token for', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-join-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const env = { ...CLEAN_ENV, BATON_HOME: home };

  const none = await runBaton(['join'], env);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /baton join <link>/);

  const broken = await runBaton(['join', 'not a link'], env);
  assert.equal(broken.code, 2, broken.stderr);
  assert.match(broken.stderr, /copy the whole link/);

  // A link without its fragment: nothing to pin the host's keys from, so nothing is stored.
  const bare = await runBaton(['join', 'http://127.0.0.1:9/pair'], env);
  assert.equal(bare.code, 1, bare.stderr);
  assert.match(bare.stderr, /incomplete or damaged/);

  mkdirSync(join(home, 'device-keys'), { recursive: true });
  writeFileSync(join(home, 'device-keys', 'http_127.0.0.1_9.json'), '{}', { mode: 0o600 });
  const again = await runBaton(['join', 'http://127.0.0.1:9/pair#code=X'], env);
  assert.equal(again.code, 1, again.stderr);
  assert.match(
    again.stderr,
    /keys for http:\/\/127\.0\.0\.1:9 are in .* no token for it: move that file away/,
  );
});
