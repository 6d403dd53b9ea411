import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claudeTokens } from './claude-usage.js';

test("Claude's result usage as tokens: cache reads and writes apart from the input", () => {
  assert.deepEqual(
    claudeTokens({
      input_tokens: 12,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 4000,
      output_tokens: 56,
      service_tier: 'standard',
    }),
    { input: 12, output: 56, cacheRead: 4000, cacheWrite: 300 },
  );
  assert.deepEqual(claudeTokens({ output_tokens: 3 }), { input: 0, output: 3 });
  assert.equal(claudeTokens({ server_tool_use: {} }), undefined);
});
