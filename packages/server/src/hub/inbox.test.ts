import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputEvent, Runner } from '../runners/runner.js';
import { createLogger } from '../logger.js';
import { Inbox } from './inbox.js';

const event = (inputId: string) =>
  ({
    type: 'input',
    seq: 1,
    data: { inputId, deviceId: 'd', payload: {} },
  }) as unknown as InputEvent;

/** A runner whose `input` finishes only when the test says: what an offline relay host is like. */
function slowRunner() {
  const open: (() => void)[] = [];
  const took: string[] = [];
  const runner = {
    input: (e: InputEvent) => {
      took.push(e.data.inputId);
      return new Promise<void>((resolve) => open.push(resolve));
    },
  } as unknown as Runner;
  return { runner, took, finishNext: () => open.shift()?.() };
}

test('taken() waits for the inputs pushed before it, not for those pushed after', async () => {
  const slow = slowRunner();
  const inbox = new Inbox(
    () => slow.runner,
    () => {},
    createLogger('silent'),
  );
  let taken = false;
  inbox.push(event('a'));
  const waiting = inbox.taken().then(() => (taken = true));
  inbox.push(event('b'));
  await new Promise((r) => setImmediate(r));
  assert.equal(taken, false, 'a is still being taken');
  slow.finishNext();
  await waiting;
  assert.deepEqual(slow.took, ['a', 'b'], 'b is being taken, and nobody waited for it');
  let second = false;
  const later = inbox.taken().then(() => (second = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false);
  inbox.clear();
  slow.finishNext();
  await later;
  await inbox.taken();
});

test('dropped inputs count as taken: no runner, or cleared', async () => {
  const inbox = new Inbox(
    () => undefined,
    () => {},
    createLogger('silent'),
  );
  inbox.push(event('a'));
  await inbox.taken();
  assert.equal(inbox.size, 0);
});
