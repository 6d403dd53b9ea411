import type { TokenUsage } from '@baton/protocol';
import { asNumber, type JsonObject } from '../agent-common/index.js';

/**
 * The tokens of a turn from the `usage` of Claude's `result` (the Messages API's usage summed
 * over the turn): `input_tokens` already leaves out the cache reads and writes, which are
 * counted apart. Undefined when the usage holds no counts.
 */
export function claudeTokens(usage: JsonObject): TokenUsage | undefined {
  const input = asNumber(usage.input_tokens);
  const output = asNumber(usage.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const tokens: TokenUsage = { input: count(input), output: count(output) };
  const cacheRead = asNumber(usage.cache_read_input_tokens);
  if (cacheRead !== undefined) tokens.cacheRead = count(cacheRead);
  const cacheWrite = asNumber(usage.cache_creation_input_tokens);
  if (cacheWrite !== undefined) tokens.cacheWrite = count(cacheWrite);
  return tokens;
}

function count(n: number | undefined): number {
  return n === undefined ? 0 : Math.max(0, Math.round(n));
}
