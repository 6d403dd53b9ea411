import type { SnapshotReason } from '@baton/protocol';
import { BatonError } from '../baton-error.js';

/** Where a session's log stands: its epoch and its committed head. */
export interface LogHead {
  readonly epoch: string;
  readonly headSeq: number;
}

/**
 * Whether a client's position (`afterSeq` in `epoch`) is not a position in the session's log as
 * it is now: the client's epoch is another one (the log was restored), or it claims events beyond
 * the head (which no client can have seen in this epoch, since only committed events are sent).
 * A client with no position (`afterSeq` 0) is never stale: a replay from the start is exact.
 */
export function isStalePosition(
  head: LogHead,
  afterSeq: number,
  epoch: string | undefined,
): boolean {
  if (afterSeq === 0) return false;
  return (epoch !== undefined && epoch !== head.epoch) || afterSeq > head.headSeq;
}

/**
 * A `fetch` must not return events from another history than the one the client holds: a stale
 * position is refused with `epoch_changed`, and the client subscribes again (and is reset).
 * Version 1 clients do not know that code and never send an epoch; they keep the version 1
 * answer (no events, and the head, which tells them they are ahead).
 */
export function checkFetchPosition(
  head: LogHead,
  afterSeq: number,
  epoch: string | undefined,
  protocolVersion: number,
): void {
  if (protocolVersion < 2) return;
  if (epoch !== undefined && epoch !== head.epoch) {
    throw new BatonError(
      'epoch_changed',
      `the session's log is in epoch ${head.epoch}, not ${epoch} (it was restored); subscribe again to be reset`,
    );
  }
  if (afterSeq > head.headSeq) {
    throw new BatonError(
      'epoch_changed',
      `afterSeq ${afterSeq} is beyond the head ${head.headSeq} of epoch ${head.epoch}; subscribe again to be reset`,
    );
  }
}

/** The snapshot reason as the connection's protocol version knows it (`reset` came in 2). */
export function snapshotReasonFor(protocolVersion: number, reason: SnapshotReason): SnapshotReason {
  return reason === 'reset' && protocolVersion < 2 ? 'resync' : reason;
}
