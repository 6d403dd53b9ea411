import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTerminalReport, splitTerminalReports } from './terminal-reports.js';

describe('terminal reports', () => {
  it('knows the answers emulators send, whole', () => {
    for (const answer of [
      '\x1b[12;40R',
      '\x1b[?62;22c',
      '\x1b[>0;276;0c',
      '\x1b[0n',
      '\x1b[I',
      '\x1b[?2004;2$y',
      '\x1b[8;24;80t',
      '\x1b[?1u',
      '\x1b]11;rgb:1e1e/1e1e/1e1e\x07',
      '\x1b]10;rgb:ffff/ffff/ffff\x1b\\',
      '\x1bP>|xterm.js(6.0.0)\x1b\\',
    ])
      assert.equal(isTerminalReport(answer), true, JSON.stringify(answer));
    for (const keys of ['a', '\x1b[A', '\x1b[2~', '\x1b[1;5R-and-more', '\x1bOP'])
      assert.equal(isTerminalReport(keys), false, JSON.stringify(keys));
  });

  it('cuts input into keys and answer-shaped sequences, in order', () => {
    assert.deepEqual(splitTerminalReports('ls\r'), [{ data: 'ls\r', report: false }]);
    assert.deepEqual(splitTerminalReports('a\x1b[5;1R\x1b[Ab\x1b[?1;2c'), [
      { data: 'a', report: false },
      { data: '\x1b[5;1R', report: true },
      { data: '\x1b[A' + 'b', report: false },
      { data: '\x1b[?1;2c', report: true },
    ]);
    assert.deepEqual(splitTerminalReports(''), [{ data: '', report: false }]);
  });
});
