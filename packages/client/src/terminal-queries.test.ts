import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasTerminalQuery, stripTerminalQueries } from './terminal-queries.js';

describe('stripTerminalQueries', () => {
  it('removes the requests a terminal would answer', () => {
    const queries = [
      '\x1b[6n', // cursor position
      '\x1b[?6n',
      '\x1b[5n', // status
      '\x1b[c', // DA1
      '\x1b[0c',
      '\x1b[>c', // DA2, as vim sends at start
      '\x1b[>0c',
      '\x1b[=c', // DA3
      '\x1b[?12$p', // DECRQM
      '\x1b[2026$p',
      '\x1b[>0q', // XTVERSION
      '\x1b[14t', // window size in pixels
      '\x1b[18t', // text area size
      '\x1b]11;?\x07', // background colour
      '\x1b]10;?\x1b\\',
      '\x1b]4;1;?\x07',
      '\x1bP$qm\x1b\\', // DECRQSS
      '\x1bP+q544e\x1b\\', // XTGETTCAP
      '\x1b[?u', // kitty keyboard flags
    ];
    for (const q of queries) {
      assert.equal(stripTerminalQueries(`a${q}b`), 'ab', JSON.stringify(q));
    }
  });

  it('keeps everything that draws', () => {
    const drawing = [
      'plain text\r\n',
      '\x1b[1;31mred\x1b[0m',
      '\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l',
      '\x1b[5;10H\x1b[2;3r\x1b[?1h\x1b=',
      '\x1b[22;0;0t\x1b[23;0;0t', // title stack push and pop
      '\x1b[8;30;100t', // resize request, not a report
      '\x1b]0;title\x07\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\',
      '\x1bc', // full reset
    ];
    for (const d of drawing) assert.equal(stripTerminalQueries(d), d, JSON.stringify(d));
  });
});

describe('hasTerminalQuery', () => {
  it('finds a query anywhere in output, and nothing in plain output', () => {
    assert.equal(hasTerminalQuery('abc\x1b[6ndef'), true);
    assert.equal(hasTerminalQuery('\x1b]11;?\x1b\\'), true);
    assert.equal(hasTerminalQuery('\x1b[31mred\x1b[0m'), false);
    assert.equal(hasTerminalQuery('plain'), false);
    // The shared global pattern keeps no state between calls.
    assert.equal(hasTerminalQuery('\x1b[c'), true);
    assert.equal(hasTerminalQuery('\x1b[c'), true);
  });
});
