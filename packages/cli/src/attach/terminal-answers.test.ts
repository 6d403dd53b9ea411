import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANSWER_WINDOW_MS, TerminalAnswers } from './terminal-answers.js';

describe('TerminalAnswers', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('sends keys as keys when no query was drawn', () => {
    const answers = new TerminalAnswers(clock().now);
    assert.deepEqual(answers.classify('ls -la\r'), [{ data: 'ls -la\r' }]);
    // Ctrl+F3 reads like a cursor report; with no query drawn it is what the user typed.
    assert.deepEqual(answers.classify('\x1b[1;5R'), [{ data: '\x1b[1;5R' }]);
  });

  it("takes an answer-shaped sequence after a live query as that query's answer", () => {
    const c = clock();
    const answers = new TerminalAnswers(c.now);
    answers.drew(41, 'plain output');
    assert.deepEqual(answers.classify('\x1b[3;7R'), [{ data: '\x1b[3;7R' }]);
    answers.drew(42, 'prompt\x1b[6n');
    assert.deepEqual(answers.classify('x\x1b[3;7Ry\x1b[?62;22c'), [
      { data: 'x' },
      { data: '\x1b[3;7R', report: { querySeq: 42 } },
      { data: 'y' },
      { data: '\x1b[?62;22c', report: { querySeq: 42 } },
    ]);
    c.advance(ANSWER_WINDOW_MS + 1);
    assert.deepEqual(answers.classify('\x1b[3;7R'), [{ data: '\x1b[3;7R' }]);
  });

  it('forgets the query when the screen is redrawn by a new subscription', () => {
    const answers = new TerminalAnswers(clock().now);
    answers.drew(7, '\x1b]11;?\x07');
    answers.reset();
    assert.deepEqual(answers.classify('\x1b]11;rgb:0000/0000/0000\x1b\\'), [
      { data: '\x1b]11;rgb:0000/0000/0000\x1b\\' },
    ]);
  });

  it('always sends focus reports as reports', () => {
    const answers = new TerminalAnswers(clock().now);
    assert.deepEqual(answers.classify('\x1b[I'), [{ data: '\x1b[I', report: {} }]);
  });
});
