import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextTurnLength, parseSlashCommand } from './slash-command.js';

describe('parseSlashCommand', () => {
  it('reads a name and its arguments', () => {
    assert.deepEqual(parseSlashCommand('/cost'), { name: 'cost', args: '' });
    assert.deepEqual(parseSlashCommand('  /compact keep the plan\n and the todo '), {
      name: 'compact',
      args: 'keep the plan\n and the todo',
    });
    assert.deepEqual(parseSlashCommand('/plugin:review-pr 12'), {
      name: 'plugin:review-pr',
      args: '12',
    });
  });

  it('leaves paths, double slashes and prose alone', () => {
    for (const text of ['/usr/bin is missing', '//etc', '/ hello', 'say /cost', '/1abc', ''])
      assert.equal(parseSlashCommand(text), undefined, text);
  });
});

describe('nextTurnLength', () => {
  const q = (...texts: string[]) => texts.map((text) => ({ text }));
  it('runs a command alone and batches messages up to the next command', () => {
    assert.equal(nextTurnLength(q()), 0);
    assert.equal(nextTurnLength(q('/cost', 'hi')), 1);
    assert.equal(nextTurnLength(q('hi', 'there', '/clear', 'after')), 2);
    assert.equal(nextTurnLength(q('hi', '/usr/bin?')), 2);
  });
});
