import type { LogEvent } from '@baton/protocol';
import type { CommittedEvent } from './event-frame.js';
import { frameOf } from './event-frame.js';
import type { StoredEvent } from '../storage/store.js';

/**
 * Event types added after protocol version 1. Version 1 clients reject an event type they do not
 * know, and they must not see a gap either (they would fetch the range and meet the same event),
 * so each of these is sent to them as an empty `terminal.output`: a type they know that changes
 * nothing (an empty chunk writes nothing to a screen; agent views ignore terminal output). The
 * stored log is unchanged; only the frame a version 1 connection receives differs.
 */
const ADDED_AFTER_V1: ReadonlySet<string> = new Set<LogEvent['type']>([
  'control.changed',
  'input.withdrawn',
  'agent.settings.changed',
  'agent.cleared',
  'agent.commands',
  'doc.changed',
]);

const EMPTY_OUTPUT = '{"data":""}';

/** Whether a connection speaking `protocolVersion` must get `type` in its version 1 form. */
function needsLegacy(protocolVersion: number, type: string): boolean {
  return protocolVersion < 2 && ADDED_AFTER_V1.has(type);
}

/** The stored event as a connection speaking `protocolVersion` may receive it. */
export function storedFor(protocolVersion: number, stored: StoredEvent): StoredEvent {
  if (!needsLegacy(protocolVersion, stored.type)) return stored;
  return { seq: stored.seq, ts: stored.ts, type: 'terminal.output', dataJson: EMPTY_OUTPUT };
}

/** The frame of a committed event for a connection speaking `protocolVersion`. */
export function committedFrameFor(
  protocolVersion: number,
  sessionId: string,
  ev: CommittedEvent,
): string | Buffer {
  if (!needsLegacy(protocolVersion, ev.event.type)) return ev.frame;
  const stored = { seq: ev.seq, ts: ev.event.ts, type: ev.event.type, dataJson: '' };
  return frameOf(sessionId, storedFor(protocolVersion, stored));
}

/** A parsed event as a connection speaking `protocolVersion` may receive it (fetch replies). */
export function eventFor(protocolVersion: number, e: LogEvent): LogEvent {
  if (!needsLegacy(protocolVersion, e.type)) return e;
  return { seq: e.seq, ts: e.ts, type: 'terminal.output', data: { data: '' } };
}
