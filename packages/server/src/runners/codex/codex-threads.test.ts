import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { unpersistedChildTracker } from '../child-processes/index.js';
import { createCodexRunnerFactory } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'baton-codex-threads-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A `codex` that cannot start its app-server, as with a broken config.toml. */
const broken = join(root, 'codex');
writeFileSync(broken, '#!/bin/sh\necho "Error loading config.toml: bad value" >&2\nexit 1\n');
chmodSync(broken, 0o755);

test('a codex that cannot start its app-server: adopting is agent_unavailable, with what it printed', async () => {
  const factory = createCodexRunnerFactory();
  const config = { binary: broken, env: { OPENAI_API_KEY: 'x' }, resume: 'thread-1' };
  await assert.rejects(factory.preflight!(config, unpersistedChildTracker()), (err: Error) => {
    assert.equal((err as Error & { code: string }).code, 'agent_unavailable');
    assert.match(
      err.message,
      /^codex app-server exited with code 1: Error loading config.toml: bad value; check that Codex runs/,
    );
    return true;
  });
});

test('without a codex binary, listing says what to install', async () => {
  const factory = createCodexRunnerFactory({ binary: join(root, 'missing', 'codex') });
  await assert.rejects(factory.listConversations!(10, unpersistedChildTracker()), (err: Error) => {
    assert.equal((err as Error & { code: string }).code, 'agent_unavailable');
    assert.match(err.message, /missing\/codex was not found.*Install Codex/);
    return true;
  });
});
