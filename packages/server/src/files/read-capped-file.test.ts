import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileTooLargeError, readCappedFile } from './read-capped-file.js';

test('a file up to the cap reads whole; past it, and anything endless, fails at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-capped-'));
  try {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    const file = join(dir, 'f');
    writeFileSync(file, bytes);
    assert.ok(readCappedFile(file, bytes.length).equals(bytes));
    assert.throws(() => readCappedFile(file, bytes.length - 1), FileTooLargeError);
    writeFileSync(join(dir, 'empty'), '');
    assert.equal(readCappedFile(join(dir, 'empty'), 0).length, 0);
    assert.throws(() => readCappedFile('/dev/zero', 1024), FileTooLargeError);
    assert.throws(() => readCappedFile(join(dir, 'absent'), 10), { code: 'ENOENT' });
    assert.throws(() => readCappedFile(dir, 10), { code: 'EISDIR' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
