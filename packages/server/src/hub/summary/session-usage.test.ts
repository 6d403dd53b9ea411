import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEvent, LogEventData } from '@baton/protocol';
import { SessionUsageTracker } from './session-usage.js';

type TurnFigures = Partial<LogEventData<'agent.turn.ended'>>;

const ended = (seq: number, data: TurnFigures): LogEvent => ({
  seq,
  ts: seq,
  type: 'agent.turn.ended',
  data: { turnId: `t${seq}`, outcome: 'completed', ...data },
});

test('turns are summed; a turn without usage adds nothing; an estimate marks the sum', () => {
  const t = new SessionUsageTracker();
  const usage = () => t.current;
  assert.equal(usage(), undefined);
  t.apply(ended(1, { tokens: { input: 10, output: 5, cacheRead: 100 }, costUsd: 0.5 }));
  t.apply(ended(2, {}));
  t.apply(ended(3, { tokens: { input: 1, output: 2, reasoning: 1 } }));
  assert.deepEqual(usage(), {
    turns: 2,
    tokens: { input: 11, output: 7, cacheRead: 100, reasoning: 1 },
    costUsd: 0.5,
  });
  t.apply(ended(4, { tokens: { input: 1, output: 1 }, costUsd: 0.25, costEstimated: true }));
  assert.equal(usage()?.costUsd, 0.75);
  assert.equal(usage()?.costEstimated, true);
});
