import { maySteer, type Attachment, type SessionControl } from '@baton/protocol';
import type { Subscription } from './subscription.js';

/**
 * The one window whose terminal emulator answers a program's queries (cursor position, device
 * attributes, colours, focus) for a terminal session.
 *
 * Every attached window runs its own emulator, and each answers every query it draws. Typed
 * as they come, the shell would read the answer once per window (`fzf --height` then sees
 * garbage). So every window sends its answers marked as reports, and only the responder's are
 * typed; the others are acknowledged and dropped. The choice is made on the server because only
 * the server sees every window at once; a rule the windows applied to their own presence lists
 * would disagree while a join or leave is on its way to some of them, and two would answer.
 *
 * The responder is, in order of preference:
 * 1. the latest writer (the window the user types in, so the one whose size the program sees
 *    and whose answers are about the screen the user looks at), if it is visible;
 * 2. else the longest-attached visible window that may type;
 * 3. else the latest writer, else the longest-attached window that may type (all are hidden,
 *    but the program still wants an answer).
 * A window that may type: attached read-write and not an observer under someone else's control.
 *
 * With many nodes the owner also weighs the windows attached through other nodes (`remote`,
 * from their presence rows, after its own in attach order). Their visibility is not shared, so
 * they count as visible.
 *
 * Exactly one answer per query holds as long as the responder does not change between the
 * query and its answers: a switch in that instant can drop both (never type two).
 */
export function chooseResponder(
  subscriptions: ReadonlyMap<string, Subscription>,
  lastWriter: string | undefined,
  control: SessionControl | undefined,
  remote: readonly Attachment[] = [],
): string | undefined {
  const writers: { connectionId: string; hidden: boolean }[] = [];
  // Map order is insertion order: the longest-attached window first.
  for (const sub of subscriptions.values()) {
    if (!sub.ended && !sub.readOnly && maySteer(control, sub.peer.deviceId))
      writers.push({ connectionId: sub.peer.connectionId, hidden: sub.peer.hidden === true });
  }
  for (const a of remote)
    if (!a.readOnly && maySteer(control, a.deviceId))
      writers.push({ connectionId: a.connectionId, hidden: false });
  const latest = writers.find((w) => w.connectionId === lastWriter);
  const chosen =
    (latest && !latest.hidden ? latest : undefined) ??
    writers.find((w) => !w.hidden) ??
    latest ??
    writers[0];
  return chosen?.connectionId;
}
