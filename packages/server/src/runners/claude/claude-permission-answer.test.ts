import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claudePermissionAsk, claudePermissionResponse } from './claude-permission-answer.js';

const question = {
  question: 'Which database?',
  header: 'DB',
  options: [
    { label: 'SQLite', description: 'a file' },
    { label: 'PostgreSQL', description: 'a server' },
  ],
  multiSelect: false,
};

test('answers to AskUserQuestion go back inside the tool input, where the CLI reads them', () => {
  const ask = claudePermissionAsk({
    tool_name: 'AskUserQuestion',
    input: { questions: [question] },
  });
  assert.deepEqual(
    claudePermissionResponse(
      { decision: 'allow', answers: { 'Which database?': 'PostgreSQL' } },
      ask,
    ),
    {
      behavior: 'allow',
      updatedInput: { questions: [question], answers: { 'Which database?': 'PostgreSQL' } },
    },
  );
});

test('a plan is approved with its input unchanged and sent back with the feedback as the message', () => {
  const ask = claudePermissionAsk({ tool_name: 'ExitPlanMode', input: { plan: '1. do it' } });
  assert.deepEqual(claudePermissionResponse({ decision: 'allow' }, ask), {
    behavior: 'allow',
    updatedInput: { plan: '1. do it' },
  });
  assert.deepEqual(
    claudePermissionResponse({ decision: 'deny', message: 'smaller steps, please' }, ask),
    { behavior: 'deny', message: 'smaller steps, please' },
  );
});
