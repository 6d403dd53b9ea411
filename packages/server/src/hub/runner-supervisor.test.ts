import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunnerFactory } from '../runners/runner.js';
import { startTestServer, waitUntil } from '../testing/index.js';

test('an input never reaches an agent runner whose start has not finished', async () => {
  // A runner started by someone else (a restart, the settling after a server restart) may still
  // be starting when an input is committed; the input must wait for that start instead of
  // finding "a runner" and going to one that is not ready.
  let releaseStart!: () => void;
  const startGate = new Promise<void>((resolve) => (releaseStart = resolve));
  let starts = 0;
  let started = false;
  const taken: { afterStart: boolean }[] = [];
  const factory: RunnerFactory = {
    kind: 'claude',
    create: () => ({
      start: async () => {
        started = false;
        if (++starts > 1) await startGate; // the first start (at create) is immediate
        started = true;
      },
      input: async () => {
        taken.push({ afterStart: started });
      },
      interrupt: async () => {},
      resize: () => {},
      stop: async () => {},
    }),
  };
  const server = await startTestServer({ runners: [factory] });
  try {
    const info = await server.hub.create('claude', 'gated', {});
    const session = server.hub.get(info.id);
    await server.hub.stop(info.id);
    const restarting = server.hub.restart(info.id);
    await waitUntil(() => starts === 2, 'the second start began');
    const headBefore = session.committedSeq;
    const acked = server.hub.submitInput(info.id, { deviceId: 'd1' }, 'i1', {
      kind: 'message',
      text: 'hello',
    });
    await waitUntil(() => session.committedSeq > headBefore, 'the input is committed');
    await new Promise<void>((resolve) => setImmediate(resolve)); // let a hand-over run, if any
    assert.deepEqual(taken, [], 'nothing reached the runner before its start finished');
    releaseStart();
    await restarting;
    assert.equal((await acked).duplicate, false);
    await waitUntil(() => taken.length === 1, 'the input reached the runner');
    assert.deepEqual(taken, [{ afterStart: true }]);
  } finally {
    releaseStart();
    await server.stop();
  }
});
