import type { ModelPrices } from '../agent-common/index.js';

/**
 * OpenAI's published API prices for the models Codex offers, as they were when this table was
 * written (2025). Codex reports tokens but no cost, so baton estimates a turn's cost from them.
 * They go out of date and never cover every model: the server's config file overrides or adds
 * entries (`agents.codex.prices`, docs/agents.md), and a model without a price gets tokens but
 * no cost.
 */
export const CODEX_PRICES: ModelPrices = {
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-max': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2-codex': { input: 1.75, cachedInput: 0.175, output: 14 },
  'codex-mini-latest': { input: 1.5, cachedInput: 0.375, output: 6 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
};
