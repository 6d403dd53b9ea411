import type { StoredEvent } from '../storage/store.js';
import { eventFramePrefix, eventJsonOf, frameOf, type CommittedEvent } from './event-frame.js';
import { committedFrameFor, storedFor } from './legacy-events.js';
import type { Peer } from './peer.js';

type Frame = string | Buffer;

/**
 * An `events` frame carries about this many bytes of events at most; a replay page is split over
 * several frames (still one socket write) and an event larger than this goes alone. Not larger:
 * V8 allocates a string over about 128 KiB in its large-object space, and a client decoding
 * such a message (a 230 KB page of 500 events) took over 1 ms for the decoding alone, more than
 * parsing it; in pages of 50 to 260 small events the same 10,000 events decoded and parsed in
 * about two thirds of the time they took as single frames (measured in Node 20).
 */
export const PAGE_FRAME_BYTES = 64 * 1024;

const COMMA = Buffer.from(',');
const PAGE_END = Buffer.from(']}');

/**
 * The frames that replay `events` (consecutive, committed, in order) to `peer`: one `event` frame
 * each, or, for a peer that asked for them in its hello (`Peer.eventPages`), `events` frames
 * holding the same events in the same order. Nothing is parsed: the events' JSON is the stored
 * text, or is cut out of the `event` frames already built for live subscribers.
 */
export function replayCommitted(
  peer: Pick<Peer, 'protocolVersion' | 'eventPages'>,
  sessionId: string,
  events: readonly CommittedEvent[],
): Frame[] {
  if (!peer.eventPages)
    return events.map((ev) => committedFrameFor(peer.protocolVersion, sessionId, ev));
  return committedPages(peer.protocolVersion, sessionId, events);
}

/**
 * `events` frames holding `events` (consecutive, committed, in order) as a connection speaking
 * `protocolVersion` receives them: a replay page, or a live commit for a peer that takes live
 * pages (CommitFrames).
 */
export function committedPages(
  protocolVersion: number,
  sessionId: string,
  events: readonly CommittedEvent[],
): Frame[] {
  const frames = events.map((ev) => committedFrameFor(protocolVersion, sessionId, ev));
  const prefix = eventFramePrefix(sessionId);
  const prefixBytes = Buffer.byteLength(prefix);
  // A frame is the prefix, the event's JSON and `}` (eventFramePrefix): cut the JSON back out.
  const parts = frames.map((f) =>
    typeof f === 'string' ? f.slice(prefix.length, -1) : f.subarray(prefixBytes, f.length - 1),
  );
  return pagesOf(sessionId, parts);
}

/** As `replayCommitted`, for events read from the store. */
export function replayStored(
  peer: Pick<Peer, 'protocolVersion' | 'eventPages'>,
  sessionId: string,
  events: readonly StoredEvent[],
): Frame[] {
  const v = peer.protocolVersion;
  if (!peer.eventPages) return events.map((e) => frameOf(sessionId, storedFor(v, e)));
  return pagesOf(
    sessionId,
    events.map((e) => eventJsonOf(storedFor(v, e))),
  );
}

/** `events` frames holding `parts` (each one event's JSON) in order, split by PAGE_FRAME_BYTES. */
function pagesOf(sessionId: string, parts: readonly Frame[]): Frame[] {
  const head = `{"type":"events","sessionId":${JSON.stringify(sessionId)},"events":[`;
  const pages: Frame[] = [];
  let from = 0;
  let bytes = 0;
  parts.forEach((part, i) => {
    const n = typeof part === 'string' ? Buffer.byteLength(part) : part.length;
    if (i > from && bytes + n > PAGE_FRAME_BYTES) {
      pages.push(pageOf(head, parts.slice(from, i)));
      from = i;
      bytes = 0;
    }
    bytes += n + 1;
  });
  if (parts.length > from) pages.push(pageOf(head, parts.slice(from)));
  return pages;
}

function pageOf(head: string, parts: readonly Frame[]): Frame {
  if (parts.every((p) => typeof p === 'string')) return `${head}${parts.join(',')}]}`;
  const chunks: Buffer[] = [Buffer.from(head)];
  parts.forEach((part, i) => {
    if (i > 0) chunks.push(COMMA);
    chunks.push(typeof part === 'string' ? Buffer.from(part) : part);
  });
  chunks.push(PAGE_END);
  return Buffer.concat(chunks);
}
