import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from './token-bucket.js';

test('the token bucket allows a burst, then refills at its rate and says how long to wait', () => {
  let now = 0;
  const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, () => now);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take()], [0, 0, 0]);
  assert.equal(bucket.take(), 100, 'one token every 100 ms at 10/s');
  now += 50;
  assert.equal(bucket.take(), 50);
  now += 50;
  assert.equal(bucket.take(), 0);
  now += 10_000;
  assert.deepEqual(
    [bucket.take(), bucket.take(), bucket.take(), bucket.take() > 0],
    [0, 0, 0, true],
    'a long quiet period refills only up to the burst',
  );
});
