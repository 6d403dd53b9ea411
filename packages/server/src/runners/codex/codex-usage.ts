import { addTokenUsage, type TokenUsage } from '@baton/protocol';
import { asNumber, asObject, type JsonObject } from '../agent-common/index.js';

/**
 * A turn's tokens, from Codex's `thread/tokenUsage/updated` notifications. Each carries `last`
 * (one model call's usage) and `total` (the thread's so far); a turn makes a call per tool step,
 * so its tokens are the sum of the `last`s. Codex sends the same figures again (with rate-limit
 * updates, after a resume), so a notification whose `total` did not move adds nothing.
 */
export class CodexTurnTokens {
  private sum: TokenUsage | undefined;
  private lastTotal: number | undefined;

  /** One notification's `tokenUsage`. */
  add(tokenUsage: JsonObject): void {
    const total = asNumber(asObject(tokenUsage.total)?.totalTokens);
    if (total !== undefined && total === this.lastTotal) return;
    this.lastTotal = total;
    const last = codexTokens(asObject(tokenUsage.last));
    if (last) this.sum = this.sum ? addTokenUsage(this.sum, last) : last;
  }

  /** The sum since the last call, which starts a new one. */
  take(): TokenUsage | undefined {
    const sum = this.sum;
    this.sum = undefined;
    return sum;
  }
}

/**
 * One of Codex's usage breakdowns as `TokenUsage`. Codex counts cached tokens inside
 * `inputTokens` and reasoning inside `outputTokens` (as the Responses API does).
 */
export function codexTokens(b: JsonObject | undefined): TokenUsage | undefined {
  const input = asNumber(b?.inputTokens);
  const output = asNumber(b?.outputTokens);
  if (!b || (input === undefined && output === undefined)) return undefined;
  const cached = count(asNumber(b.cachedInputTokens) ?? 0);
  const tokens: TokenUsage = {
    input: count((input ?? 0) - cached),
    output: count(output ?? 0),
    cacheRead: cached,
  };
  const reasoning = asNumber(b.reasoningOutputTokens);
  if (reasoning !== undefined) tokens.reasoning = count(reasoning);
  return tokens;
}

/** A whole, non-negative count (the log's schema takes nothing else). */
function count(n: number): number {
  return Math.max(0, Math.round(n));
}
