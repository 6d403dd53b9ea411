import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { formatSessionTable } from './format-sessions.js';

/** A running terminal session as the server lists it, with `fields` replaced. */
function listed(now: number, fields: Partial<SessionInfo>): SessionInfo {
  return {
    id: 's_aaaaaaaaaaaaaaaaaaaa',
    name: 'build',
    kind: 'terminal',
    status: 'running',
    createdAt: now,
    lastActivityAt: now,
    headSeq: 1,
    config: {},
    attached: [],
    attachedCount: 0,
    ...fields,
  } as SessionInfo;
}

test('baton ls never prints control characters from the server, whatever it stored', () => {
  const now = Date.now();
  const session = listed(now, {
    name: 'old\x1b]0;pwned\x07name\n\u202e',
    attached: [
      {
        connectionId: 'c1',
        deviceId: 'd1',
        deviceName: 'phone\x1b[2J',
        mode: 'tab',
        readOnly: false,
        since: now,
      },
    ],
    attachedCount: 1,
  });
  const table = formatSessionTable([session], now);

  assert.doesNotMatch(table.replace(/\n/g, ''), /[\x00-\x1f\x7f-\x9f\u202e]/);
  assert.match(table, /old\?\]0;pwned\?name\?\?/);
  assert.match(table, /phone\?\[2J\/tab/);
});

test('baton ls says when the server cannot store a session', () => {
  const now = Date.now();
  assert.doesNotMatch(formatSessionTable([listed(now, {})], now), /not saving/);
  const degraded = listed(now, {
    degraded: 'the storage cannot write: database or disk is full',
  });
  assert.match(formatSessionTable([degraded], now), /running, not saving/);
});

test('on a relay baton ls prints one table per host, saying which hosts are offline', () => {
  const now = Date.now();
  const out = formatSessionTable(
    [
      listed(now, { id: 's_b', name: 'on work', host: { id: 'd_w', name: 'work', online: false } }),
      listed(now, { id: 's_a', name: 'on home', host: { id: 'd_h', name: 'home', online: true } }),
      listed(now, {
        id: 's_c',
        name: 'also home',
        host: { id: 'd_h', name: 'home', online: true },
      }),
    ],
    now,
  );
  const [home, work] = out.split('\n\n');
  assert.match(home!, /^host home \(online\)\nID .*\ns_a .*on home.*\ns_c .*also home/);
  assert.match(work!, /^host work \(offline\)\nID .*\ns_b .*on work/);
});
