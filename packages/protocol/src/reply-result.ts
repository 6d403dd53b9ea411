import { z } from 'zod';
import { DocumentReplies } from './document.js';
import { Epoch, Seq } from './ids.js';
import { ReceivedLogEvent } from './log-event.js';
import { SessionInfo } from './session.js';

/** The `result` of a `reply`, per request type. */
export const ReplyResult = {
  'sessions.watch': z.object({ sessions: z.array(SessionInfo) }),
  'sessions.unwatch': z.object({}),
  'session.create': z.object({ session: SessionInfo }),
  'session.rename': z.object({ session: SessionInfo }),
  'session.stop': z.object({ session: SessionInfo }),
  'session.restart': z.object({ session: SessionInfo }),
  'session.delete': z.object({ deleted: z.literal(true) }),
  /**
   * Sent before any replayed event. `headSeq` is the log head when the subscription began;
   * events up to it follow as `event` frames (or a `snapshot` and then events). `epoch` is the
   * epoch of the session's log; the positions that follow belong to it.
   */
  subscribe: z.object({ session: SessionInfo, headSeq: Seq, epoch: Epoch }),
  unsubscribe: z.object({}),
  /**
   * `compacted: true` means events right after `afterSeq` are gone; subscribe again to receive a
   * snapshot. Otherwise `events` are contiguous from `afterSeq + 1` (unknown types included:
   * skip them). A fetch whose `epoch` is stale, or whose `afterSeq` is beyond the head, is
   * answered with the error `epoch_changed` instead.
   */
  fetch: z.object({
    events: z.array(ReceivedLogEvent),
    headSeq: Seq,
    epoch: Epoch,
    compacted: z.boolean(),
  }),
  resize: z.object({}),
  interrupt: z.object({}),
  'permission.answer': z.object({ seq: Seq }),
  /** The seq of the `agent.settings.changed` event. */
  'agent.settings': z.object({ seq: Seq }),
  /** The seq of the `input.withdrawn` event; `duplicate` when an earlier request withdrew it. */
  'input.withdraw': z.object({ seq: Seq, duplicate: z.boolean() }),
  ...DocumentReplies,
  volatile: z.object({}),
} as const;
export type ReplyResultOf<T extends keyof typeof ReplyResult> = z.infer<(typeof ReplyResult)[T]>;
