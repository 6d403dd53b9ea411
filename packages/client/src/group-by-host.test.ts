import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { groupByHost } from './group-by-host.js';

function session(id: string, host?: { id: string; name: string; online: boolean }): SessionInfo {
  return {
    id,
    name: id,
    kind: 'terminal',
    status: 'running',
    createdAt: 1,
    lastActivityAt: 1,
    headSeq: 0,
    run: 0,
    epoch: 'e_1',
    config: {},
    attached: [],
    attachedCount: 0,
    ...(host ? { host } : {}),
  };
}

test('sessions are grouped by host id, hosts by name, with their online state', () => {
  const work = { id: 'd_w', name: 'work', online: false };
  const home = { id: 'd_h', name: 'home', online: true };
  const groups = groupByHost([session('a', work), session('b', home), session('c', work)]);
  assert.deepEqual(
    groups.map((g) => [g.host?.name, g.host?.online, g.sessions.map((s) => s.id)]),
    [
      ['home', true, ['b']],
      ['work', false, ['a', 'c']],
    ],
  );
});

test('sessions a server runs itself form one group without a host, first', () => {
  const groups = groupByHost([
    session('x', { id: 'd_1', name: 'one', online: true }),
    session('y'),
  ]);
  assert.equal(groups[0]!.host, undefined);
  assert.deepEqual(
    groups[0]!.sessions.map((s) => s.id),
    ['y'],
  );
  assert.equal(groups[1]!.host?.name, 'one');
});
