import type { PushKind, SessionInfo } from '@baton/protocol';
import type { CommittedEvent } from '../hub/event-frame.js';
import { attentionKindOf } from '../hub/summary/session-attention.js';

/**
 * What a notification carries: enough to show it and open the session, nothing more. Never
 * event contents (tool inputs, agent text, terminal output, error details): they may hold
 * secrets, and a notification shows on a lock screen.
 */
export interface PushMessage {
  kind: PushKind;
  title: string;
  body: string;
  sessionId: string;
  /** Path of the session in the web app, relative to the server's origin. */
  url: string;
  /** Notifications with the same tag replace each other (one per session and kind). */
  tag: string;
}

/** The notification a committed event calls for, if any. */
export function pushMessageFor(
  session: SessionInfo,
  committed: CommittedEvent,
): PushMessage | undefined {
  const e = committed.event;
  const name = session.name;
  const base = { sessionId: session.id, url: `/s/${session.id}` };
  switch (e.type) {
    case 'agent.permission.requested':
      return {
        ...base,
        kind: 'permission',
        tag: `${session.id}:permission`,
        title: `${name} is waiting for you`,
        body: attentionBody(e.data.toolName),
      };
    case 'agent.turn.ended':
      return {
        ...base,
        kind: 'turnEnded',
        tag: `${session.id}:turn`,
        title: `${name}: turn ${e.data.outcome}`,
        body:
          e.data.outcome === 'completed'
            ? 'The agent finished its turn.'
            : e.data.outcome === 'interrupted'
              ? 'The turn was interrupted.'
              : 'The turn failed. Open the session to see why.',
      };
    case 'session.status':
      if (e.data.status === 'failed')
        return {
          ...base,
          kind: 'sessionFailed',
          tag: `${session.id}:status`,
          title: `${name} failed`,
          body: 'The session stopped with an error. Open it to see why.',
        };
      if (e.data.status === 'exited' && session.kind === 'terminal')
        return {
          ...base,
          kind: 'terminalExited',
          tag: `${session.id}:status`,
          title: `${name} exited`,
          body:
            e.data.exitCode !== undefined
              ? `The terminal exited with code ${e.data.exitCode}.`
              : 'The terminal exited.',
        };
      return undefined;
    default:
      return undefined;
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** What a session that starts needing a person asks for, in the words a lock screen shows. */
function attentionBody(toolName: string): string {
  switch (attentionKindOf(toolName)) {
    case 'question':
      return 'The agent has a question. Open the session to answer.';
    case 'plan':
      return 'The agent wants its plan approved. Open the session to review it.';
    case 'permission':
      return `Allow ${clip(toolName, 60)}? Open the session to answer.`;
  }
}
