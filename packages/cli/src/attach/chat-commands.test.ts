import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChatLine } from './chat-commands.js';

describe('parseChatLine', () => {
  it('keeps a message exactly as typed', () => {
    assert.deepEqual(parseChatLine('  hello  there ', []), {
      kind: 'message',
      text: '  hello  there ',
    });
    assert.deepEqual(parseChatLine('   ', []), { kind: 'empty' });
  });

  it('y and n answer the oldest waiting request, and are messages when none waits', () => {
    assert.deepEqual(parseChatLine('y', ['r1', 'r2']), { kind: 'allow', requestId: 'r1' });
    assert.deepEqual(parseChatLine('No', ['r1']), {
      kind: 'deny',
      requestId: 'r1',
      message: undefined,
    });
    assert.deepEqual(parseChatLine('y', []), { kind: 'message', text: 'y' });
  });

  it('/allow and /deny take an optional id (or a unique prefix) and a message', () => {
    const waiting = ['abcd-1111', 'abcd-2222', 'ffff-0000'];
    assert.deepEqual(parseChatLine('/allow', waiting), { kind: 'allow', requestId: 'abcd-1111' });
    assert.deepEqual(parseChatLine('/allow ffff', waiting), {
      kind: 'allow',
      requestId: 'ffff-0000',
    });
    assert.deepEqual(parseChatLine('/deny [abcd-2222] not that file', waiting), {
      kind: 'deny',
      requestId: 'abcd-2222',
      message: 'not that file',
    });
    assert.deepEqual(parseChatLine('/deny use the other one', waiting), {
      kind: 'deny',
      requestId: 'abcd-1111',
      message: 'use the other one',
    });
    assert.equal(parseChatLine('/allow abcd', waiting).kind, 'error');
    assert.equal(parseChatLine('/allow', []).kind, 'error');
  });

  it("knows its commands, sends the agent's to it, and // sends a message that starts with a slash", () => {
    assert.deepEqual(parseChatLine('/stop', []), { kind: 'stop' });
    assert.deepEqual(parseChatLine('/detach', []), { kind: 'detach' });
    assert.deepEqual(parseChatLine('/retry', []), { kind: 'retry' });
    assert.deepEqual(parseChatLine('/cancel', []), { kind: 'cancel' });
    assert.deepEqual(parseChatLine('//etc/hosts is odd', []), {
      kind: 'message',
      text: '/etc/hosts is odd',
    });
    // Anything else is the agent's: it runs there, where every device sees it.
    assert.deepEqual(parseChatLine(' /compact keep the plan ', []), {
      kind: 'message',
      text: '/compact keep the plan',
    });
    assert.deepEqual(parseChatLine('/mode acceptEdits', []), {
      kind: 'mode',
      permissionMode: 'acceptEdits',
    });
    assert.equal(parseChatLine('/mode', []).kind, 'error');
  });
});
