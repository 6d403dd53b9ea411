import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from '../testing/test-server.js';
import { StoreHealth, type StoreState } from './store-health.js';

test('store health walks ok → degraded → (probe fails) degraded → (probe succeeds) ok', async () => {
  let probeError: Error | undefined = new Error('database or disk is full');
  let probes = 0;
  const changes: StoreState['state'][] = [];
  const health = new StoreHealth({
    probeMs: 5,
    probe: () => {
      probes++;
      return probeError ? Promise.reject(probeError) : Promise.resolve();
    },
    onChange: (s) => changes.push(s.state),
  });
  try {
    assert.deepEqual(health.state, { state: 'ok' });
    health.succeeded();
    assert.deepEqual(changes, [], 'ok stays ok without a change event');

    health.failed(new Error('disk I/O error'));
    assert.equal(health.state.state, 'degraded');
    assert.equal(health.degraded, true);
    assert.deepEqual(changes, ['degraded']);
    health.failed(new Error('database or disk is full'));
    assert.deepEqual(changes, ['degraded'], 'a second failure is no new transition');

    // The probe keeps failing: still degraded, with the latest error.
    await waitUntil(() => probes >= 2, 'two probes');
    assert.equal(health.state.state, 'degraded');
    assert.match((health.state as { error: string }).error, /full/);

    // Space is back: the next probe recovers by itself.
    probeError = undefined;
    await waitUntil(() => !health.degraded, 'the probe to recover the store');
    assert.deepEqual(changes, ['degraded', 'ok']);

    // A commit that succeeds also recovers, without waiting for a probe.
    health.failed(new Error('disk I/O error'));
    health.succeeded();
    assert.deepEqual(changes, ['degraded', 'ok', 'degraded', 'ok']);
  } finally {
    health.close();
  }
});
