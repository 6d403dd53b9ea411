import { isSealedPayload, type WireInputPayload } from '@baton/protocol';
import { BatonError } from '../baton-error.js';

/**
 * Binds terminal keystrokes to the run of the session they were typed for. Keys typed for a
 * shell that has since been restarted (or replaced after a server restart) must not reach the
 * program running now, where they could mean anything.
 */

/**
 * The run number for a runner starting now. It increases at every start and survives server
 * restarts without being stored: the log's head only grows, and at least one status event is
 * written between two starts, so `headSeq + 1` is beyond every earlier run of the session.
 */
export function nextRun(previous: number, headSeq: number): number {
  return Math.max(previous + 1, headSeq + 1);
}

/** Whether an input was typed for another run than `currentRun` (only terminal inputs carry one). */
export function isStaleRun(payload: WireInputPayload, currentRun: number): boolean {
  // A sealed input's `run` is inside its envelope: the relay cannot check it (the host does not
  // either yet; docs/security.md).
  if (isSealedPayload(payload)) return false;
  return payload.kind === 'terminal' && payload.run !== undefined && payload.run !== currentRun;
}

/**
 * Answers a stale input: a retry of an input stored before (same id) is a duplicate and gets its
 * original seq, as any retry does; anything else is refused with `stale_input`.
 */
export async function duplicateOrStale(
  sessionId: string,
  currentRun: number,
  inputId: string,
  payload: WireInputPayload,
  findStored: (inputId: string) => Promise<number | undefined>,
): Promise<{ seq: number; duplicate: true }> {
  const seq = await findStored(inputId);
  if (seq !== undefined) return { seq, duplicate: true };
  const typedFor =
    !isSealedPayload(payload) && payload.kind === 'terminal' ? payload.run : undefined;
  throw new BatonError(
    'stale_input',
    `input ${inputId} was typed for run ${typedFor} of session ${sessionId}, which is now at run ${currentRun} (it restarted); the keys were not sent`,
  );
}
