import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claudeArgs } from './claude-args.js';

const conversationPart = (args: string[]) => args.slice(9);

test('a new conversation gets the id baton chose; a stored one is resumed', () => {
  assert.deepEqual(conversationPart(claudeArgs({}, { create: 'new-id' })), [
    '--session-id',
    'new-id',
  ]);
  assert.deepEqual(conversationPart(claudeArgs({}, { resume: 'old-id' })), ['--resume', 'old-id']);
});

test('args that choose the conversation never meet a --session-id (Claude refuses both)', () => {
  for (const own of [
    ['--resume', 'abc'],
    ['-r', 'abc'],
    ['--resume=abc'],
    ['--continue'],
    ['-c'],
  ]) {
    const args = claudeArgs({ args: [...own, '--verbose'] }, { create: 'new-id' });
    assert.ok(!args.includes('--session-id'), `${own.join(' ')}: ${args.join(' ')}`);
    assert.deepEqual(args.slice(-own.length - 1), [...own, '--verbose']);
  }
});

test("once an id is stored, baton's --resume replaces the args' own choice", () => {
  const args = claudeArgs(
    { args: ['--resume', 'first', '--add-dir', '/x', '-c'] },
    { resume: 'stored' },
  );
  assert.deepEqual(conversationPart(args), ['--resume', 'stored', '--add-dir', '/x']);
});
