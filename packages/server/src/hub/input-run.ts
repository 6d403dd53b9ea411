import { isSealedPayload, type SealedTerminalChecks, type WireInputPayload } from '@baton/protocol';
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

/**
 * The run a terminal input was typed for: its own, or for a sealed one the clear copy its device
 * sent beside it (`checks`; the host refuses the input if it differs from the sealed one).
 */
export function typedForRun(
  payload: WireInputPayload,
  checks: SealedTerminalChecks = {},
): number | undefined {
  if (payload.kind !== 'terminal') return undefined;
  return isSealedPayload(payload) ? checks.run : payload.run;
}

/** Whether an input was typed for another run than `currentRun` (only terminal inputs carry one). */
export function isStaleRun(
  payload: WireInputPayload,
  currentRun: number,
  checks: SealedTerminalChecks = {},
): boolean {
  const run = typedForRun(payload, checks);
  return run !== undefined && run !== currentRun;
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
  checks: SealedTerminalChecks = {},
): Promise<{ seq: number; duplicate: true }> {
  const seq = await findStored(inputId);
  if (seq !== undefined) return { seq, duplicate: true };
  const typedFor = typedForRun(payload, checks);
  throw new BatonError(
    'stale_input',
    `input ${inputId} was typed for run ${typedFor} of session ${sessionId}, which is now at run ${currentRun} (it restarted); the keys were not sent`,
  );
}
