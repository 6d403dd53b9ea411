import {
  LOG_EVENT_BODIES,
  SealedEventData,
  describeZodError,
  type NewLogEvent,
} from '@baton/protocol';

/**
 * Why a batch of runner-made events must not be stored, or undefined when every one is valid.
 *
 * Runners turn the output of other programs (agent CLIs, their JSON streams) into log events.
 * An event that does not match its schema, once stored, would be sent to every client forever
 * and make strict clients refuse the frame; an event that cannot be serialised would fail the
 * whole group commit. So each one is checked against `LOG_EVENT_BODIES` before it is stored, and
 * a runner that makes a bad one fails its own session (LiveSession) rather than anything else.
 */
export function invalidRunnerEvent(
  events: readonly NewLogEvent[],
  sealed = false,
): string | undefined {
  for (const [i, event] of events.entries()) {
    const type = (event as { type: unknown }).type;
    if (typeof type !== 'string' || !Object.hasOwn(LOG_EVENT_BODIES, type)) {
      return `event ${i + 1} has type ${JSON.stringify(type)}, which is not a log event type`;
    }
    // A sealed session's bodies are envelopes the relay verified (signature, place, author)
    // before committing them; their plaintext is checked by whoever opens them.
    if (sealed) {
      if (type === 'session.status' || SealedEventData.safeParse(event.data).success) continue;
      return `its '${type}' event is not sealed, in a sealed session`;
    }
    const checked = LOG_EVENT_BODIES[type as NewLogEvent['type']].safeParse(event.data);
    if (!checked.success) {
      return `its '${type}' event is invalid: ${describeZodError(checked.error)}`;
    }
    // Terminal output is a plain string (checked above); other bodies may hold values from
    // outside (tool inputs and results) that JSON cannot represent.
    if (type !== 'terminal.output') {
      try {
        JSON.stringify(event.data);
      } catch (err) {
        return `its '${type}' event cannot be stored as JSON: ${(err as Error).message}`;
      }
    }
  }
  return undefined;
}
