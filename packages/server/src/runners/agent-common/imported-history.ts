import { IMPORTED_DEVICE_ID, type NewLogEvent } from '@baton/protocol';

/**
 * What every history import shares (Claude Code transcripts, Codex threads): the limits on
 * what one import writes, and the events a person's earlier message becomes.
 */

/** The most events one import writes: the newest are kept. */
export const MAX_IMPORTED_EVENTS = 4_000;
/** Longer texts and tool outputs are cut to this many characters (with a note). */
const MAX_TEXT_CHARS = 100_000;
/** A person's message is cut at this many characters, as an `input` holds at most 200,000. */
const MAX_INPUT_CHARS = 200_000;

/**
 * A message the person sent before the adoption: an `input` from device `imported`, and at
 * once its `input.delivered`, so that no runner ever sends it to the agent again.
 */
export function importedInput(inputId: string, text: string): NewLogEvent[] {
  return [
    {
      type: 'input',
      data: {
        inputId,
        deviceId: IMPORTED_DEVICE_ID,
        payload: { kind: 'message', text: cut(text, MAX_INPUT_CHARS) },
        imported: true,
      },
    },
    { type: 'input.delivered', data: { inputId, deviceId: IMPORTED_DEVICE_ID } },
  ];
}

/** The newest events within the limit, never starting with a delivery whose input was cut. */
export function newestImported(events: NewLogEvent[]): NewLogEvent[] {
  if (events.length <= MAX_IMPORTED_EVENTS) return events;
  const kept = events.slice(-MAX_IMPORTED_EVENTS);
  return kept[0]?.type === 'input.delivered' ? kept.slice(1) : kept;
}

/** A text as stored: as it was, or cut with a note saying how much is missing. */
export function cut(text: string, max = MAX_TEXT_CHARS): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}\n[… cut by baton: ${text.length - max} more characters]`;
}

/** A tool input or output as stored: as it was, unless its JSON is too long to keep. */
export function capped(value: unknown): unknown {
  const json = JSON.stringify(value) ?? '';
  return json.length <= MAX_TEXT_CHARS ? value : cut(json);
}
