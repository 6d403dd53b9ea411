import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentQuestion } from '@baton/client';
import { parseChatLine } from './chat-commands.js';
import { answersFromChoices } from './chat-prompts.js';

const db: AgentQuestion = {
  question: 'Which database?',
  header: 'DB',
  multiSelect: false,
  options: [
    { label: 'SQLite', description: undefined },
    { label: 'PostgreSQL', description: undefined },
  ],
  secret: false,
};
const features: AgentQuestion = {
  question: 'Which features?',
  header: undefined,
  multiSelect: true,
  options: [
    { label: 'search', description: undefined },
    { label: 'export', description: undefined },
    { label: 'sync', description: undefined },
  ],
  secret: false,
};

describe('/answer', () => {
  it('parses the answers after an optional request id, one per question', () => {
    assert.deepEqual(parseChatLine('/answer 2', ['toolu_1']), {
      kind: 'answer',
      requestId: 'toolu_1',
      choices: ['2'],
    });
    assert.deepEqual(parseChatLine('/answer toolu_2 1; my own words', ['toolu_1', 'toolu_2']), {
      kind: 'answer',
      requestId: 'toolu_2',
      choices: ['1', ' my own words'],
    });
    assert.equal(parseChatLine('/answer', ['toolu_1']).kind, 'error');
    assert.equal(parseChatLine('/answer 1', []).kind, 'error');
  });

  it("turns option numbers into labels, keeps words of one's own, and refuses what does not fit", () => {
    assert.deepEqual(answersFromChoices([db, features], ['2', '1, 3']), {
      answers: { 'Which database?': 'PostgreSQL', 'Which features?': 'search, sync' },
    });
    assert.deepEqual(answersFromChoices([db], [' DuckDB ']), {
      answers: { 'Which database?': 'DuckDB' },
    });
    for (const [questions, choices, error] of [
      [[db], ['3'], /options 1 to 2, not 3/],
      [[db], ['1,2'], /takes one option/],
      [[db, features], ['1'], /2 questions need 2 answers/],
      [[db], [' '], /no answer/],
    ] as const) {
      const r = answersFromChoices(questions, choices);
      assert.ok('error' in r, JSON.stringify(r));
      assert.match(r.error, error);
    }
  });
});
