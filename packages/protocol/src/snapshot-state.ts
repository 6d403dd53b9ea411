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
