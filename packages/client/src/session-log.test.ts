import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import { SessionLog } from './session-log.js';

function output(seq: number): LogEvent {
  return { seq, ts: seq, type: 'terminal.output', data: { data: `#${seq}` } };
}

function input(seq: number, inputId: string): LogEvent {
  return {
    seq,
    ts: seq,
    type: 'input',
    data: { inputId, deviceId: 'd', payload: { kind: 'message', text: 'hi' } },
  };
}

const seqs = (events: readonly LogEvent[]) => events.map((e) => e.seq);

test('applies events only as lastSeq + 1 and ignores duplicates', () => {
  const log = new SessionLog();
  assert.deepEqual(seqs(log.offer(output(1))), [1]);
  assert.deepEqual(seqs(log.offer(output(2))), [2]);
  assert.deepEqual(log.offer(output(2)), []);
  assert.deepEqual(log.offer(output(1)), []);
  assert.equal(log.lastSeq, 2);
  assert.deepEqual(seqs(log.events), [1, 2]);
});

test('holds events back behind a gap and reports the range to fetch', () => {
  const log = new SessionLog();
  log.offer(output(1));
  assert.deepEqual(log.offer(output(5)), []);
  assert.deepEqual(log.offer(output(6)), []);
  assert.deepEqual(log.missing(), { afterSeq: 1, limit: 3 });
  assert.deepEqual(seqs(log.offerFetched([output(2), output(3), output(4)])), [2, 3, 4, 5, 6]);
  assert.equal(log.missing(), undefined);
  assert.deepEqual(seqs(log.events), [1, 2, 3, 4, 5, 6]);
});

test('a partial fetch applies what it can and keeps asking for the rest', () => {
  const log = new SessionLog();
  log.offer(output(10));
  assert.deepEqual(log.missing(), { afterSeq: 0, limit: 9 });
  assert.deepEqual(seqs(log.offerFetched([output(1), output(2)])), [1, 2]);
  assert.deepEqual(log.missing(), { afterSeq: 2, limit: 7 });
});

test('a snapshot replaces the base, moves lastSeq and drains held-back events after it', () => {
  const log = new SessionLog();
  log.offer(output(1));
  log.offer(output(9));
  const applied = log.applySnapshot({
    seq: 8,
    reason: 'retention',
    state: {
      session: sessionInfo(),
      runner: { kind: 'terminal', screen: '$ ', cols: 80, rows: 24 },
    },
  });
  assert.deepEqual(seqs(applied), [9]);
  assert.equal(log.lastSeq, 9);
  assert.equal(log.base?.seq, 8);
  assert.equal(log.base?.state?.runner.kind, 'terminal');
  assert.deepEqual(seqs(log.events), [9]);
  assert.equal(log.missing(), undefined);
});

test('tracks input ids from events and from agent snapshots', () => {
  const log = new SessionLog();
  log.offer(input(1, 'a'));
  assert.ok(log.hasInput('a'));
  log.applySnapshot({
    seq: 5,
    reason: 'catchup',
    state: { session: sessionInfo(), runner: { kind: 'agent', events: [input(3, 'b')] } },
  });
  assert.ok(log.hasInput('b'));
  assert.ok(!log.hasInput('a'), 'the snapshot replaced the base');
});

test('a snapshot with an unknown state shape still moves lastSeq', () => {
  const log = new SessionLog();
  log.applySnapshot({ seq: 3, reason: 'resync', state: { nonsense: true } });
  assert.equal(log.lastSeq, 3);
  assert.equal(log.base?.state, undefined);
});

function sessionInfo() {
  return {
    id: 's_aaaaaaaaaaaaaaaaaaaa',
    name: 'x',
    kind: 'terminal' as const,
    status: 'running' as const,
    createdAt: 1,
    lastActivityAt: 1,
    headSeq: 8,
    epoch: 'e_1',
    config: {},
    attached: [],
    attachedCount: 0,
  };
}
