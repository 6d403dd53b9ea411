import { z } from 'zod';

const Tokens = z.number().int().nonnegative();

/**
 * What a turn cost in tokens, the same for every agent (added in 2, additive). Each count is
 * separate, never included in another: `input` is the prompt tokens not read from the prompt
 * cache, `cacheRead` those read from it, `cacheWrite` those written to it (Claude only), and
 * `output` every generated token, reasoning included; `reasoning` says how many of `output`
 * were reasoning (Codex only).
 * - Claude: `input_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens`,
 *   `output_tokens` of the turn's `result`.
 * - Codex: the turn's `inputTokens` less `cachedInputTokens`, `cachedInputTokens`,
 *   `outputTokens`, `reasoningOutputTokens`, summed over the turn's model calls.
 */
export const TokenUsage = z.object({
  input: Tokens,
  output: Tokens,
  cacheRead: Tokens.optional(),
  cacheWrite: Tokens.optional(),
  reasoning: Tokens.optional(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

/**
 * A session's usage so far (`SessionInfo.usage`, added in 2, additive): the sums over its ended
 * turns. `costUsd` sums the turns that had a cost; `costEstimated` is true when some of it is
 * baton's estimate from a price table (Codex) rather than the agent's own figure (Claude).
 */
export const SessionUsage = z.object({
  turns: z.number().int().nonnegative(),
  tokens: TokenUsage,
  costUsd: z.number().nonnegative().optional(),
  costEstimated: z.literal(true).optional(),
});
export type SessionUsage = z.infer<typeof SessionUsage>;

/** `a` and `b` added up, count by count; a count either lacks is taken from the other. */
export function addTokenUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum: TokenUsage = { input: a.input + b.input, output: a.output + b.output };
  for (const key of ['cacheRead', 'cacheWrite', 'reasoning'] as const) {
    const x = a[key];
    const y = b[key];
    if (x !== undefined || y !== undefined) sum[key] = (x ?? 0) + (y ?? 0);
  }
  return sum;
}

/**
 * `usage` with one more ended turn counted (`agent.turn.ended`'s figures); `usage` itself when
 * the turn reported neither tokens nor cost. `SessionInfo.usage` is this, over every turn.
 */
export function withTurnUsage(
  usage: SessionUsage | undefined,
  turn: {
    tokens?: TokenUsage | undefined;
    costUsd?: number | undefined;
    costEstimated?: true | undefined;
  },
): SessionUsage | undefined {
  const { tokens, costUsd, costEstimated } = turn;
  if (tokens === undefined && costUsd === undefined) return usage;
  const was = usage ?? { turns: 0, tokens: { input: 0, output: 0 } };
  const next: SessionUsage = {
    turns: was.turns + 1,
    tokens: tokens ? addTokenUsage(was.tokens, tokens) : was.tokens,
  };
  if (was.costUsd !== undefined || costUsd !== undefined)
    next.costUsd = (was.costUsd ?? 0) + (costUsd ?? 0);
  if (was.costEstimated || (costUsd !== undefined && costEstimated)) next.costEstimated = true;
  return next;
}
