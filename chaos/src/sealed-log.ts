import type { SessionSealing } from '@baton/client';
import type { ReceivedLogEvent } from '@baton/protocol';

/** One stored event after opening: the plaintext event, or why it did not open. */
export type OpenedLogEvent =
  { ok: true; event: ReceivedLogEvent } | { ok: false; seq: number; reason: string };

/**
 * Opens a session's stored events one by one, in log order (`LogArchiver` reads each seq once,
 * ascending). Null for a session the checker reads in the clear.
 */
export type LogOpener = (event: ReceivedLogEvent) => Promise<OpenedLogEvent>;

/**
 * The checker's reader of a sealed session: a device paired with the host, opening every stored
 * event with the SDK's `SessionSealing` exactly as a device does — the envelope's signature by
 * its author (the host for events, the typing device for inputs, from the host's signed roster),
 * its place (session, kind, id), the tag under the session key, then the author's counter in log
 * order (`admit`: nothing replayed or moved). Content types in the clear are refused
 * (`plaintext`). Whatever fails comes back with its seq and reason; the caller reports it.
 */
export function sealedLogOpener(session: SessionSealing): LogOpener {
  let keys: Promise<void> | undefined;
  return async (event) => {
    if (session.keyEpoch === 0) await (keys ??= session.refreshKeys());
    const opened = await session.openEvent(event);
    if (!opened.ok)
      return { ok: false, seq: event.seq, reason: `${opened.code}: ${opened.message}` };
    if (opened.sealedBy) {
      try {
        session.admit(opened.sealedBy);
      } catch (error) {
        return { ok: false, seq: event.seq, reason: (error as Error).message };
      }
    }
    return { ok: true, event: opened.event };
  };
}
