import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveAgentBinary } from './resolve-agent-binary.js';

test('a binary path that is missing, not executable or a directory each gets its own message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-binary-'));
  try {
    const plain = join(dir, 'notes.txt');
    writeFileSync(plain, 'not a program');
    const program = join(dir, 'agent');
    writeFileSync(program, '#!/bin/sh\n');
    chmodSync(program, 0o755);
    mkdirSync(join(dir, 'folder'));
    const resolveAt = (binary: string) =>
      resolveAgentBinary({ binary, cwd: dir }, 'claude', 'Install Claude Code');
    assert.equal(resolveAt(program), program);
    assert.equal(resolveAt('./agent'), program, 'relative to the session cwd');
    for (const binary of [plain, './folder'])
      assert.throws(() => resolveAt(binary), /is not a program baton can run/, binary);
    assert.throws(() => resolveAt(join(dir, 'missing')), /was not found at .*Install Claude Code/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
