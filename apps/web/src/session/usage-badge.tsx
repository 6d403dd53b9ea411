import type { ReactNode } from 'react';
import type { SessionUsage } from '@baton/protocol';
import { describeUsage, formatCost, formatTokens } from '../chat/format-usage.js';

/**
 * An agent session's cost so far (`SessionInfo.usage`), or its tokens when no cost is known;
 * the details (turns, cache, whether the cost is baton's estimate) in its tooltip.
 */
export function UsageBadge({ usage }: { usage: SessionUsage | undefined }): ReactNode {
  if (!usage) return null;
  const text =
    usage.costUsd !== undefined
      ? formatCost(usage.costUsd, usage.costEstimated)
      : formatTokens(usage.tokens);
  const details = describeUsage(usage);
  return (
    <span className="badge badge-usage" title={details}>
      {text}
      <span className="visually-hidden"> ({details})</span>
    </span>
  );
}
