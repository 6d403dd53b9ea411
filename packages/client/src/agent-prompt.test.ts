import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentPrompt } from './agent-prompt.js';

test('ExitPlanMode is a plan, AskUserQuestion questions, anything else a permission', () => {
  assert.deepEqual(agentPrompt('ExitPlanMode', { plan: '# Plan' }), {
    kind: 'plan',
    plan: '# Plan',
  });
  assert.deepEqual(agentPrompt('ExitPlanMode', 'garbage'), { kind: 'plan', plan: '' });
  assert.deepEqual(agentPrompt('Bash', { command: 'ls' }), { kind: 'permission' });
  assert.deepEqual(
    agentPrompt('AskUserQuestion', {
      questions: [
        {
          question: 'Which database?',
          header: 'DB',
          multiSelect: false,
          options: [{ label: 'SQLite', description: 'a file' }, { label: 'PostgreSQL' }, 7],
        },
        { header: 'no question' },
        { question: 'The API key?', options: [], secret: true },
      ],
    }),
    {
      kind: 'question',
      questions: [
        {
          question: 'Which database?',
          header: 'DB',
          multiSelect: false,
          options: [
            { label: 'SQLite', description: 'a file' },
            { label: 'PostgreSQL', description: undefined },
          ],
          secret: false,
        },
        {
          question: 'The API key?',
          header: undefined,
          multiSelect: false,
          options: [],
          secret: true,
        },
      ],
    },
  );
});
