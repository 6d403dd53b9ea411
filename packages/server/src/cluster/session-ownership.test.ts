import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSignal, encodeSignal, type ClusterSignal } from './cluster-bus.js';
import { SessionOwnership } from './session-ownership.js';

test('session ownership: every transition of following → claiming → owning → following', () => {
  const o = new SessionOwnership();
  assert.equal(o.state, 'following');
  assert.equal(o.lost(), undefined, 'a follower has nothing to lose');

  assert.equal(o.claim(), true);
  assert.equal(o.state, 'claiming');
  assert.equal(o.claim(), false, 'one claim at a time');
  o.unclaimed();
  assert.equal(o.state, 'following', 'another node holds it');

  const lease = { sessionId: 's', owner: 'n', epoch: 3 };
  assert.throws(() => o.claimed(lease), /claimed while following/);
  o.claim();
  o.claimed(lease);
  assert.equal(o.state, 'owning');
  assert.deepEqual(o.lease, lease);
  assert.equal(o.claim(), false, 'an owner does not claim again');
  o.unclaimed();
  assert.equal(o.state, 'owning', 'unclaimed only ends a claim');

  o.renewed({ ...lease, epoch: 2 });
  assert.equal(o.lease?.epoch, 3, 'a renewal of another epoch changes nothing');
  assert.deepEqual(o.lost(), lease);
  assert.equal(o.state, 'following');
  assert.equal(o.lease, undefined);
});

test('cluster signals: short pointers that round-trip; anything else is ignored', () => {
  const signals: ClusterSignal[] = [
    { kind: 'commit', sessionId: 's_abc', seq: 42 },
    { kind: 'session', sessionId: 's_abc' },
    { kind: 'request', sessionId: 's_abc' },
    { kind: 'answer', id: 7 },
    { kind: 'presence', sessionId: 's_abc' },
  ];
  for (const s of signals) {
    const payload = encodeSignal(s);
    assert.ok(payload.length < 100, 'far below NOTIFY’s 8,000 bytes');
    assert.deepEqual(decodeSignal(payload), s);
  }
  for (const bad of ['', 'x:1', 'c:s', 'c:s:-1', 'c::3', 'a:abc', 's:', 'p:', 'c:s:1e3'])
    assert.equal(decodeSignal(bad), undefined, bad);
});
