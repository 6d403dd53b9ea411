import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askedQuestions, questionAnswers } from './codex-questions.js';

test("Codex's questions are shown as an AskUserQuestion prompt; what cannot be shown is left out", () => {
  const shown = askedQuestions({
    questions: [
      {
        id: 'db',
        header: 'Database',
        question: 'Which database?',
        isOther: true,
        isSecret: false,
        options: [{ label: 'SQLite', description: 'a file' }, { label: '' }, 'junk'],
      },
      { id: 'key', header: 'Key', question: 'The API key?', isSecret: true, options: null },
      { id: 'no-text', question: '' },
      { question: 'no id' },
      null,
    ],
  });
  assert.deepEqual(shown?.input.questions, [
    {
      question: 'Which database?',
      header: 'Database',
      options: [{ label: 'SQLite', description: 'a file' }],
      multiSelect: false,
    },
    { question: 'The API key?', header: 'Key', options: [], multiSelect: false, secret: true },
  ]);
  assert.deepEqual(shown?.asked, [
    { id: 'db', question: 'Which database?' },
    { id: 'key', question: 'The API key?' },
  ]);
  assert.equal(askedQuestions({ questions: [{ id: 'x' }] }), undefined);
  // Answers are keyed by text: a repeated one is numbered, a long one cut to the key's limit.
  const long = 'Why? '.repeat(500);
  const keys = askedQuestions({
    questions: [
      { id: 'a', question: 'Sure?' },
      { id: 'b', question: 'Sure?' },
      { id: 'c', question: long },
    ],
  })?.asked.map((q) => q.question);
  assert.deepEqual(keys, ['Sure?', 'Sure? (2)', long.slice(0, 2_000)]);
  assert.equal(askedQuestions({}), undefined);
});

test('answers go back under the ids Codex asked with; a decline or an empty answer answers none', () => {
  const asked = [
    { id: 'db', question: 'Which database?' },
    { id: '__proto__', question: 'Anything else?' },
    { id: 'ttl', question: 'How long?' },
  ];
  const allowed = questionAnswers(asked, {
    decision: 'allow',
    answers: { 'Which database?': 'PostgreSQL', 'Anything else?': 'no', 'How long?': '' },
  });
  assert.deepEqual(JSON.parse(JSON.stringify(allowed)), {
    answers: { db: { answers: ['PostgreSQL'] }, ['__proto__']: { answers: ['no'] } },
  });
  assert.ok(Object.hasOwn(allowed.answers, '__proto__'), 'an own property, not the prototype');
  assert.deepEqual(questionAnswers(asked, { decision: 'deny' }), { answers: {} });
  assert.deepEqual(questionAnswers(asked, { decision: 'allow' }), { answers: {} });
});
