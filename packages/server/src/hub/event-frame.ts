import type { LogEvent } from '@baton/protocol';
import type { StoredEvent } from '../storage/store.js';

/**
 * A committed event together with its wire frame. The frame is built once, from the same JSON
 * text that was stored, and the identical string is sent to every subscriber: fan-out costs one
 * `send` per subscriber and no per-subscriber serialization.
 */
export interface CommittedEvent {
  readonly seq: number;
  readonly event: LogEvent;
  /** The `event` frame, UTF-8 encoded once; every subscriber is sent these same bytes. */
  readonly frame: Buffer;
}

export function toCommitted(
  sessionId: string,
  stored: StoredEvent,
  event?: LogEvent,
): CommittedEvent {
  return {
    seq: stored.seq,
    event: event ?? parseStored(stored),
    frame: Buffer.from(frameOf(sessionId, stored), 'utf8'),
  };
}

/**
 * What comes before the event in an `event` frame. Invariant: an `event` frame is exactly this,
 * the event's JSON (`eventJsonOf`) and one closing `}`, so the event's JSON can be cut back out
 * of a frame built once (a replay page reuses the frames of RecentFrames).
 */
export function eventFramePrefix(sessionId: string): string {
  return `{"type":"event","sessionId":${JSON.stringify(sessionId)},"event":`;
}

/** The JSON of a stored event, its data spliced in as stored (never parsed and encoded again). */
export function eventJsonOf(stored: StoredEvent): string {
  return (
    `{"seq":${stored.seq},"ts":${stored.ts},"type":${JSON.stringify(stored.type)},` +
    `"data":${stored.dataJson}}`
  );
}

/** The wire frame of a stored event, without parsing its data (replay path). */
export function frameOf(sessionId: string, stored: StoredEvent): string {
  return `${eventFramePrefix(sessionId)}${eventJsonOf(stored)}}`;
}

export function parseStored(stored: StoredEvent): LogEvent {
  return {
    seq: stored.seq,
    ts: stored.ts,
    type: stored.type,
    data: JSON.parse(stored.dataJson) as unknown,
  } as LogEvent;
}
