import type { SessionUsage, TokenUsage } from '@baton/protocol';

const count = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** Tokens in a few words: "1.2K in · 56 out" (cache reads counted as input). */
export function formatTokens(t: TokenUsage): string {
  return `${count.format(t.input + (t.cacheRead ?? 0) + (t.cacheWrite ?? 0))} in · ${count.format(t.output)} out`;
}

/** A cost in dollars; an estimate (Codex, from a price table) says so with "≈". */
export function formatCost(usd: number, estimated: boolean | undefined): string {
  return `${estimated ? '≈' : ''}$${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** The whole usage of a session, for a tooltip. */
export function describeUsage(u: SessionUsage): string {
  const t = u.tokens;
  const parts = [
    `${u.turns} turn${u.turns === 1 ? '' : 's'}`,
    `${t.input.toLocaleString('en')} input tokens`,
    ...(t.cacheRead ? [`${t.cacheRead.toLocaleString('en')} read from the cache`] : []),
    ...(t.cacheWrite ? [`${t.cacheWrite.toLocaleString('en')} written to the cache`] : []),
    `${t.output.toLocaleString('en')} output tokens`,
  ];
  if (u.costUsd !== undefined)
    parts.push(
      u.costEstimated
        ? `${formatCost(u.costUsd, true)}, estimated by baton from its price table`
        : formatCost(u.costUsd, false),
    );
  return parts.join(' · ');
}
