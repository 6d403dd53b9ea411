import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../logger.js';

test('the json format writes one parseable object per line, with context, fields and level names', () => {
  const lines: string[] = [];
  const log = createLogger('info', { node: 'n1' }, (l) => lines.push(l), 'json');
  log.debug('not shown at info');
  log.info('started', { port: 7777 });
  log.child({ session: 's_1' }).error('runner failed', { reason: 'exit 1' });
  assert.equal(lines.length, 2);
  const [started, failed] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(started!['level'], 'info');
  assert.equal(started!['msg'], 'started');
  assert.equal(started!['port'], 7777);
  assert.equal(started!['node'], 'n1');
  assert.ok(!Number.isNaN(Date.parse(String(started!['time']))), 'an ISO time');
  assert.deepEqual(
    {
      level: failed!['level'],
      msg: failed!['msg'],
      session: failed!['session'],
      node: failed!['node'],
    },
    { level: 'error', msg: 'runner failed', session: 's_1', node: 'n1' },
  );
  assert.ok(lines.every((l) => !l.endsWith('\n')));
});

test('the text format stays the default', () => {
  const lines: string[] = [];
  createLogger('info', {}, (l) => lines.push(l)).warn('disk slow', { ms: 12 });
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\S+ WARN disk slow \{"ms":12\}$/);
});
