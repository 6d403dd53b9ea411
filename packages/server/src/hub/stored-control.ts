import { OPEN_CONTROL, SessionControl } from '@baton/protocol';
import type { Logger } from '../logger.js';

/** The stored control state; a value this server cannot read is treated as `open`, and logged. */
export function parseControl(
  stored: string | undefined,
  log: Logger,
  sessionId: string,
): SessionControl {
  if (stored === undefined) return OPEN_CONTROL;
  try {
    const parsed = SessionControl.safeParse(JSON.parse(stored));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  log.error('unreadable control state; the session is open', { session: sessionId });
  return OPEN_CONTROL;
}
