import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import type { RunnerContext } from '../runner.js';
import { deliveryKey, recoverFromLog } from './recover-from-log.js';

/** Only what recoverFromLog reads: the stored events and the latest snapshot. */
function contextOf(events: LogEvent[]): RunnerContext {
  return {
    readEvents: (after: number, limit: number) =>
      Promise.resolve(events.filter((e) => e.seq > after).slice(0, limit)),
    latestSnapshot: () => Promise.resolve({ kind: 'none' }),
  } as unknown as RunnerContext;
}

const input = (seq: number, deviceId: string, inputId: string): LogEvent => ({
  seq,
  ts: seq,
  type: 'input',
  data: { inputId, deviceId, payload: { kind: 'message', text: `${deviceId} says ${inputId}` } },
});

test('two devices using the same input id are two messages, delivered separately', async () => {
  const r = await recoverFromLog(
    contextOf([
      input(1, 'd_a', '1'),
      input(2, 'd_b', '1'),
      { seq: 3, ts: 3, type: 'input.delivered', data: { inputId: '1', deviceId: 'd_a' } },
    ]),
    'claude',
  );
  assert.deepEqual(
    r.undelivered.map((m) => m.text),
    ['d_b says 1'],
    'the second device’s message is still owed a turn',
  );
  assert.ok(r.seenInputIds.has(deliveryKey('d_a', '1')));
  assert.ok(r.seenInputIds.has(deliveryKey('d_b', '1')));
});

test('an input.delivered written before it named the device covers that id from any device', async () => {
  const r = await recoverFromLog(
    contextOf([
      input(1, 'd_a', '7'),
      { seq: 2, ts: 2, type: 'input.delivered', data: { inputId: '7' } },
      input(3, 'd_a', '8'),
    ]),
    'claude',
  );
  assert.deepEqual(
    r.undelivered.map((m) => m.inputId),
    ['8'],
  );
});
