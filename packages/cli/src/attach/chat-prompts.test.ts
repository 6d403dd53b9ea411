import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentQuestion } from '@baton/client';
import { parseChatLine } from './chat-commands.js';
import { chatStyle } from './chat-format.js';
import { answersFromChoices, formatPromptResolution } from './chat-prompts.js';

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

  it('a question without options takes a number as its answer', () => {
    const pin: AgentQuestion = {
      question: 'The PIN?',
      header: undefined,
      multiSelect: false,
      options: [],
    };
    assert.deepEqual(answersFromChoices([pin], ['1234']), { answers: { 'The PIN?': '1234' } });
  });

  it('an answer to a secret question is not printed', () => {
    const key: AgentQuestion = {
      question: 'The API key?',
      header: undefined,
      multiSelect: false,
      options: [],
      secret: true,
    };
    const shown = formatPromptResolution(
      chatStyle(false),
      {
        seq: 9,
        ts: 0,
        type: 'agent.permission.resolved',
        data: {
          requestId: 'r1',
          resolution: {
            decision: 'allow',
            answers: { 'The API key?': 'sk-123', 'Which database?': 'SQLite' },
          },
          deviceId: 'd_phone',
        },
      },
      { kind: 'question', questions: [key, db] },
      () => 'phone',
    );
    assert.ok(shown);
    assert.doesNotMatch(shown, /sk-123/);
    assert.match(shown, /The API key\? → \(secret\)/);
    assert.match(shown, /Which database\? → SQLite/);
  });
});
