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

/** The wire frame of a stored event, without parsing its data (replay path). */
export function frameOf(sessionId: string, stored: StoredEvent): string {
  return (
    `{"type":"event","sessionId":${JSON.stringify(sessionId)},"event":{"seq":${stored.seq},` +
    `"ts":${stored.ts},"type":${JSON.stringify(stored.type)},"data":${stored.dataJson}}}`
  );
}

export function parseStored(stored: StoredEvent): LogEvent {
  return {
    seq: stored.seq,
    ts: stored.ts,
    type: stored.type,
    data: JSON.parse(stored.dataJson) as unknown,
  } as LogEvent;
}
