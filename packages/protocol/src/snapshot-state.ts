import { z } from 'zod';
import { ReceivedLogEvent } from './log-event.js';
import { SessionInfo } from './session.js';

/**
 * The `state` of a `snapshot` frame: the session as of the snapshot's `seq`.
 * - `terminal`: `screen` is the serialized screen and scrollback (VT escape sequences) that,
 *   written into a fresh terminal of `cols` x `rows`, reproduces what every window shows.
 * - `agent`: the conversation's events that still matter (messages, tool calls, results,
 *   permission requests and their resolutions), in order; streaming and status noise dropped.
 */
export const SnapshotState = z.object({
  session: SessionInfo,
  runner: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('terminal'),
      screen: z.string(),
      cols: z.number().int(),
      rows: z.number().int(),
    }),
    z.object({ kind: z.literal('agent'), events: z.array(ReceivedLogEvent) }),
    z.object({ kind: z.literal('none') }),
  ]),
});
export type SnapshotState = z.infer<typeof SnapshotState>;
export type RunnerSnapshot = SnapshotState['runner'];

/**
 * The plaintext of a sealed session's snapshot envelope (docs/protocol.md, "Sealed snapshots"):
 * the runner state the host's projection made as of the snapshot's seq, and for each author's
 * lanes the highest counter among the events it covers, so that a reader starting from the
 * snapshot refuses an older envelope replayed after it. Keys are an author id (at most 256
 * characters) alone, or with `#<lane>` (lane 0…1023) or `#*` (its floor) after it.
 */
export const SealedSnapshotBody = z.object({
  runner: SnapshotState.shape.runner,
  counters: z.record(
    z
      .string()
      .min(1)
      .max(256 + 5),
    z.number().int().min(1),
  ),
});
export type SealedSnapshotBody = z.infer<typeof SealedSnapshotBody>;
