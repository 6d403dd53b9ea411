import type { ReactNode } from 'react';
import './sessions-nav.css';
import { groupByHost } from '@baton/client';
import type { SessionInfo } from '@baton/protocol';
import { groupSessions } from './session-groups.js';
import { SessionRow } from './session-row.js';

interface ListProps {
  now: number;
  actions: boolean;
  current?: string | undefined;
  compact: boolean;
  headingLevel: 2 | 3;
}

/**
 * The sessions grouped and sorted (`groupSessions`): a heading and a list per group. The list
 * page and the desktop sidebar show the same groups; the sidebar's rows are compact. On a relay
 * (sessions carry `host`), one section per host comes first, headed by its name and whether it
 * is online, with the same groups inside (docs/relay.md).
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
  const props: ListProps = { now, actions, current, compact, headingLevel };
  if (!sessions.some((s) => s.host !== undefined))
    return <div className="session-groups">{statusGroups(sessions, props, '')}</div>;
  const HostHeading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="session-groups">
      {groupByHost(sessions).map(({ host, sessions: ofHost }) => {
        const key = host?.id ?? 'local';
        const id = `${compact ? 'nav' : 'list'}-host-${key}`;
        const online = host?.online ?? true;
        return (
          <section
            key={key}
            className={`host-group ${online ? 'host-online' : 'host-offline'}`}
            aria-labelledby={id}
            data-host={host?.name ?? ''}
            data-online={online ? 'true' : 'false'}
          >
            <HostHeading id={id} className="host-title">
              {host?.name ?? 'This server'}{' '}
              <span className={online ? 'host-state online' : 'host-state offline'}>
                {online ? 'online' : 'offline'}
              </span>
            </HostHeading>
            {statusGroups(ofHost, { ...props, headingLevel: 3 }, `${key}-`)}
          </section>
        );
      })}
    </div>
  );
}

function statusGroups(sessions: readonly SessionInfo[], props: ListProps, prefix: string) {
  const { now, actions, current, compact, headingLevel } = props;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return groupSessions(sessions).map((group) => {
    const id = `${compact ? 'nav' : 'list'}-group-${prefix}${group.key}`;
    return (
      <section
        key={group.key}
        className={`session-group group-${group.key}`}
        aria-labelledby={id}
        data-group={group.key}
      >
        <Heading id={id} className="group-title">
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
    );
  });
}
