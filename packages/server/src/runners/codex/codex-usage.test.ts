import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costUsd, modelPrice } from '../agent-common/index.js';
import { CODEX_PRICES } from './codex-prices.js';
import { CodexTurnTokens, codexTokens } from './codex-usage.js';

const breakdown = (input: number, cached: number, output: number, total: number) => ({
  totalTokens: total,
  inputTokens: input,
  cachedInputTokens: cached,
  outputTokens: output,
  reasoningOutputTokens: 0,
});

test("Codex's breakdown: cached tokens come out of the input; reasoning stays in the output", () => {
  assert.deepEqual(
    codexTokens({
      inputTokens: 100,
      cachedInputTokens: 60,
      outputTokens: 30,
      reasoningOutputTokens: 20,
    }),
    { input: 40, cacheRead: 60, output: 30, reasoning: 20 },
  );
  assert.equal(codexTokens({ nothing: 1 }), undefined);
});

test("a turn's tokens are its model calls' summed; a repeated notification adds nothing", () => {
  const t = new CodexTurnTokens();
  t.add({ last: breakdown(10, 0, 5, 15), total: breakdown(10, 0, 5, 15) });
  t.add({ last: breakdown(10, 0, 5, 15), total: breakdown(10, 0, 5, 15) });
  t.add({ last: breakdown(20, 10, 1, 21), total: breakdown(30, 10, 6, 36) });
  assert.deepEqual(t.take(), { input: 20, cacheRead: 10, output: 6, reasoning: 0 });
  assert.equal(t.take(), undefined);
});

test('prices: configured first, then the table; dated names as their model; no guessing', () => {
  assert.equal(modelPrice('gpt-5-2025-08-07', {}, CODEX_PRICES), CODEX_PRICES['gpt-5']);
  assert.equal(modelPrice('gpt-5.2-pro', {}, CODEX_PRICES), undefined);
  const mine = { input: 1, output: 2 };
  assert.equal(modelPrice('gpt-5', { 'gpt-5': mine }, CODEX_PRICES), mine);
  assert.equal(
    costUsd(
      { input: 1_000_000, cacheRead: 1_000_000, output: 500_000 },
      {
        input: 2,
        cachedInput: 0.5,
        output: 10,
      },
    ),
    7.5,
  );
  assert.equal(costUsd({ input: 0, cacheRead: 1_000_000, output: 0 }, mine), 1);
});
