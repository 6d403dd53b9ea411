import type { ReactNode } from 'react';
import type { SessionAttention } from '@baton/protocol';
import './attention-badge.css';

const LABELS: Record<SessionAttention['kind'], string> = {
  permission: 'needs you: permission',
  question: 'needs you: a question',
  plan: 'needs you: plan approval',
};

/** Marks a session that waits for a person (`SessionInfo.attention`); nothing otherwise. */
export function AttentionBadge({
  attention,
}: {
  attention: SessionAttention | undefined;
}): ReactNode {
  if (!attention) return null;
  return (
    <span className="badge badge-attention" data-attention={attention.kind}>
      {LABELS[attention.kind]}
    </span>
  );
}
