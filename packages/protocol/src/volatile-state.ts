import { z } from 'zod';
import { ConnectionMode } from './connection-mode.js';
import { JsonValue } from './document.js';
import { RequestId, SessionId } from './ids.js';

/** A `volatile` message's `data` as JSON; larger ones are refused with `too_large`. */
export const MAX_VOLATILE_BYTES = 4 * 1024;
/** `volatile` messages one connection may send per second (bursts of twice that); then `rate_limited`. */
export const VOLATILE_PER_SECOND = 20;

/**
 * Volatile state (typing indicators, cursors, scroll positions, a draft being typed): relayed at
 * once to the session's other subscribers as a `volatile` frame, never stored, never replayed.
 * The sender must be subscribed to the session. Answered by an empty `reply` when it has `rid`.
 */
export const SendVolatile = z.object({
  type: z.literal('volatile'),
  rid: RequestId.optional(),
  sessionId: SessionId,
  /** What the value is (`typing`, `cursor`, …): a later value of a key replaces an earlier one. */
  key: z.string().min(1).max(64),
  data: JsonValue,
});

/** Another subscriber's volatile state (see `SendVolatile`). Sent to protocol 2 and later only. */
export const VolatileFrame = z.object({
  type: z.literal('volatile'),
  sessionId: SessionId,
  key: z.string(),
  data: JsonValue,
  connectionId: z.string(),
  deviceId: z.string(),
  mode: ConnectionMode,
});
export type VolatileMessage = z.infer<typeof VolatileFrame>;
