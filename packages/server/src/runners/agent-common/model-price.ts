import type { TokenUsage } from '@baton/protocol';

/** A model's API prices in US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  /** Prompt tokens read from the cache; `input` when absent. */
  cachedInput?: number | undefined;
  /** Generated tokens, reasoning included. */
  output: number;
}

/** Prices by model name, as the agent reports the model (Codex: `thread/start`'s `model`). */
export type ModelPrices = Readonly<Record<string, ModelPrice>>;

/**
 * The price of `model` in the first of `tables` that has one (the configured prices come first,
 * then the built-in table). A dated snapshot name (`gpt-5-2025-08-07`) is priced as its model.
 * No other guessing: a near name (`gpt-5.2-pro`) may cost something else entirely.
 */
export function modelPrice(
  model: string | undefined,
  ...tables: readonly ModelPrices[]
): ModelPrice | undefined {
  if (model === undefined) return undefined;
  const undated = model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  for (const table of tables)
    for (const name of [model, undated]) {
      const price = table[name];
      if (price) return price;
    }
  return undefined;
}

/** What `tokens` cost at `price`, in US dollars. */
export function costUsd(tokens: TokenUsage, price: ModelPrice): number {
  const perToken = 1 / 1_000_000;
  return (
    (tokens.input * price.input +
      (tokens.cacheRead ?? 0) * (price.cachedInput ?? price.input) +
      tokens.output * price.output) *
    perToken
  );
}
