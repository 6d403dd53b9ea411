import {
  MAX_VOLATILE_BYTES,
  VOLATILE_PER_SECOND,
  type ClientMessageOf,
  type VolatileMessage,
} from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import { TokenBucket } from '../../ws/token-bucket.js';
import type { LiveSession } from '../live-session.js';
import type { Peer } from '../peer.js';

/** One bucket per connection, dropped with it (a closed peer is no longer referenced). */
const buckets = new WeakMap<Peer, TokenBucket>();

/**
 * Relays volatile state (typing, cursors, scroll positions) from `from` to every other connection
 * subscribed to the session, at once. Never stored, never replayed: a connection that subscribes
 * later sees only what is sent after it. Connections of protocol version 1 are skipped, as they
 * refuse frame types they do not know. Limited per connection (`VOLATILE_PER_SECOND`).
 */
export function relayVolatile(
  session: LiveSession,
  from: Peer,
  msg: ClientMessageOf<'volatile'>,
): void {
  let bucket = buckets.get(from);
  if (bucket === undefined) {
    bucket = new TokenBucket({ perSecond: VOLATILE_PER_SECOND, burst: VOLATILE_PER_SECOND * 2 });
    buckets.set(from, bucket);
  }
  const wait = bucket.take();
  if (wait > 0)
    throw new BatonError(
      'rate_limited',
      `at most ${VOLATILE_PER_SECOND} volatile messages a second per connection: send the latest value only`,
      wait,
    );
  const bytes = Buffer.byteLength(JSON.stringify(msg.data));
  if (bytes > MAX_VOLATILE_BYTES)
    throw new BatonError(
      'too_large',
      `volatile data is ${bytes} bytes as JSON; at most ${MAX_VOLATILE_BYTES}`,
    );
  const frame: VolatileMessage = {
    type: 'volatile',
    sessionId: session.id,
    key: msg.key,
    data: msg.data,
    connectionId: from.connectionId,
    deviceId: from.deviceId,
    mode: from.mode,
  };
  const text = JSON.stringify(frame);
  for (const sub of session.subscriptions.values()) {
    if (sub.ended || sub.peer === from || sub.peer.protocolVersion < 2) continue;
    sub.peer.send(text);
  }
}
