import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../storage/sqlite-store.js';
import { tempDataDir } from '../testing/test-server.js';
import { Grants } from './grants.js';
import { RedeemLimiter } from './redeem-limiter.js';

test('a grant is redeemed once, within its time, for its kind and session only', async () => {
  const dir = tempDataDir();
  const store = new SqliteStore(join(dir.dir, 'baton.db'));
  let now = 1_000_000;
  const grants = new Grants(store, () => now);
  try {
    const pair = await grants.issue({
      kind: 'pair',
      role: 'viewer',
      createdBy: 'owner',
      length: 'short',
    });
    assert.match(pair.code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    assert.equal(pair.expiresAt, now + 5 * 60_000);
    await assert.rejects(grants.redeem('handoff', pair.code, 'd1'), { code: 'not_found' });
    // People type codes loosely: case, spaces and a missing dash do not matter.
    const typed = pair.code.toLowerCase().replace('-', ' ');
    const used = await grants.redeem('pair', typed, 'd1');
    assert.deepEqual([used.role, used.usedBy], ['viewer', 'd1']);
    await assert.rejects(grants.redeem('pair', pair.code, 'd2'), { code: 'already_used' });
    await assert.rejects(grants.redeem('pair', 'ZZZZZ-ZZZZZ', 'd2'), { code: 'not_found' });

    const handoff = await grants.issue({
      kind: 'handoff',
      role: 'editor',
      sessionScope: 's_a',
      mode: 'takeover',
      createdBy: 'd1',
      ttlMs: 60_000,
      length: 'long',
    });
    assert.match(handoff.code, /^bh_[A-Za-z0-9_-]{43}$/);
    await assert.rejects(grants.redeem('handoff', handoff.code, 'd2', 's_b'), {
      code: 'not_found',
    });
    now += 60_000;
    await assert.rejects(grants.redeem('handoff', handoff.code, 'd2', 's_a'), { code: 'expired' });

    const capped = await grants.issue({
      kind: 'pair',
      role: 'owner',
      createdBy: 'owner',
      ttlMs: 3_600_000,
      length: 'short',
    });
    assert.equal(capped.expiresAt, now + 5 * 60_000, 'no grant lives longer than 5 minutes');
    const race = await Promise.allSettled([
      grants.redeem('pair', capped.code, 'd3'),
      grants.redeem('pair', capped.code, 'd4'),
    ]);
    assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  } finally {
    await store.close();
    dir.remove();
  }
});

test('redeem attempts are limited per address and overall, successful or not', () => {
  let now = 0;
  const limiter = new RedeemLimiter(
    { perSecond: 1, burst: 3 },
    { perSecond: 10, burst: 5 },
    () => now,
  );
  for (let i = 0; i < 3; i++) limiter.attempt('10.0.0.1');
  assert.throws(() => limiter.attempt('10.0.0.1'), { code: 'rate_limited' });
  limiter.attempt('10.0.0.2');
  // The overall bucket (5) is spent by now: another address is refused too.
  assert.throws(() => limiter.attempt('10.0.0.3'), { code: 'rate_limited' });
  assert.equal(limiter.refused, 2);
  now += 1_000;
  limiter.attempt('10.0.0.1');
});
