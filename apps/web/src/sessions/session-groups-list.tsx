import type { ReactNode } from 'react';
import './sessions-nav.css';
import type { SessionInfo } from '@baton/protocol';
import { groupSessions } from './session-groups.js';
import { SessionRow } from './session-row.js';

/**
 * The sessions grouped and sorted (`groupSessions`): a heading and a list per group. The list
 * page and the desktop sidebar show the same groups; the sidebar's rows are compact.
 */
export function SessionGroupsList({
  sessions,
  now,
  actions,
  current,
  compact = false,
  headingLevel = 2,
}: {
  sessions: readonly SessionInfo[];
  now: number;
  actions: boolean;
  current?: string | undefined;
  compact?: boolean;
  headingLevel?: 2 | 3;
}): ReactNode {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="session-groups">
      {groupSessions(sessions).map((group) => (
        <section
          key={group.key}
          className={`session-group group-${group.key}`}
          aria-labelledby={`${compact ? 'nav' : 'list'}-group-${group.key}`}
          data-group={group.key}
        >
          <Heading id={`${compact ? 'nav' : 'list'}-group-${group.key}`} className="group-title">
            {group.title} <span className="muted">{group.sessions.length}</span>
          </Heading>
          <ul className={compact ? 'nav-list' : 'session-list'} aria-label={group.title}>
            {group.sessions.map((s) => (
              <SessionRow
                key={s.id}
                session={s}
                now={now}
                actions={actions}
                current={s.id === current}
                compact={compact}
              />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
