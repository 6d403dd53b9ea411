import type { NewLogEvent } from '@baton/protocol';
import { asArray, asObject, asString } from '../agent-common/index.js';
import { capped, cut, importedInput, newestImported } from '../agent-common/imported-history.js';
import { itemCompletedEvents, itemStartedEvents } from './codex-items.js';

/**
 * A Codex thread's turns, oldest first, as `thread/turns/list` returns them with full items, as
 * baton log events, every one marked `imported`: each person's message as an `input` (device
 * `imported`) followed by its `input.delivered`, so no runner ever sends it again; assistant
 * messages, reasoning, and the tool items Codex kept (commands, file changes, MCP and web
 * tools) as a call and its result. At most the newest MAX_IMPORTED_EVENTS are kept.
 *
 * Item ids are Codex's own, prefixed with `imported-` and the turn's id: they stay apart from
 * the ids of the items Codex streams once the thread goes on, and from each other where an
 * older Codex numbered items per turn.
 */
export function codexHistory(turns: readonly unknown[]): NewLogEvent[] {
  const events: NewLogEvent[] = [];
  let inputs = 0;
  for (const [t, turn] of turns.map(asObject).entries()) {
    const turnId = asString(turn?.id) ?? String(t + 1);
    for (const [i, raw] of asArray(turn?.items).map(asObject).entries()) {
      if (!raw) continue;
      if (raw.type === 'userMessage') {
        const text = userText(raw.content);
        if (text) events.push(...importedInput(`imported-${++inputs}`, text));
        continue;
      }
      const item = { ...raw, id: `imported-${turnId}-${asString(raw.id) ?? String(i)}` };
      for (const event of [...itemStartedEvents(item), ...itemCompletedEvents(item)]) {
        // An agent message Codex kept without text says nothing worth a line of history.
        if (event.type === 'agent.text' && event.data.text === '') continue;
        events.push(markImported(event));
      }
    }
  }
  return newestImported(events);
}

/**
 * What the person typed: the text inputs of a `userMessage`, one per line. Images and other
 * inputs are named by what they referred to, since only text is imported.
 */
function userText(content: unknown): string | undefined {
  const parts: string[] = [];
  for (const input of asArray(content).map(asObject)) {
    if (!input) continue;
    const text = asString(input.text);
    if (input.type === 'text' && text !== undefined) parts.push(text);
    else if (input.type === 'localImage') parts.push(`[image ${asString(input.path) ?? ''}]`);
    else if (input.type === 'image') parts.push(`[image ${asString(input.url) ?? ''}]`);
  }
  const text = parts.join('\n').trim();
  return text === '' ? undefined : text;
}

/** The event as imported: marked, and with texts and tool data cut to what an import keeps. */
function markImported(event: NewLogEvent): NewLogEvent {
  switch (event.type) {
    case 'agent.text':
      return {
        type: event.type,
        data: { ...event.data, text: cut(event.data.text), imported: true },
      };
    case 'agent.thinking':
      return {
        type: event.type,
        data: { ...event.data, text: cut(event.data.text), imported: true },
      };
    case 'agent.tool.call':
      return {
        type: event.type,
        data: { ...event.data, input: capped(event.data.input), imported: true },
      };
    case 'agent.tool.result':
      return {
        type: event.type,
        data: { ...event.data, output: capped(event.data.output), imported: true },
      };
    default:
      return event;
  }
}
