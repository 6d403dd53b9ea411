import type { NewLogEvent } from '@baton/protocol';
import { asArray, asObject, asString } from '../agent-common/index.js';
import { capped, cut, importedInput, newestImported } from '../agent-common/imported-history.js';
import { readJsonLines } from '../agent-common/read-json-lines.js';
import { isConversationLine, userText } from './claude-transcripts.js';

/** How much of a transcript an import reads. */
const IMPORT_SCAN_BYTES = 64 * 1024 * 1024;

/**
 * A Claude Code transcript as baton log events, every one marked `imported`: each person's
 * message as an `input` (device `imported`) followed by its `input.delivered`, so no runner
 * ever sends it again; assistant text, thinking and tool calls; tool results. Malformed lines,
 * subagent lines and Claude's own bookkeeping are skipped.
 */
export async function claudeHistory(path: string): Promise<NewLogEvent[]> {
  const events: NewLogEvent[] = [];
  let n = 0;
  for await (const line of readJsonLines(path, IMPORT_SCAN_BYTES)) {
    if (!isConversationLine(line)) continue;
    const message = asObject(line.message);
    const lineId = asString(line.uuid) ?? String(n);
    if (line.type === 'user') {
      for (const block of asArray(message?.content).map(asObject)) {
        if (block?.type !== 'tool_result') continue;
        const toolCallId = asString(block.tool_use_id);
        if (!toolCallId) continue;
        events.push({
          type: 'agent.tool.result',
          data: {
            toolCallId,
            output: capped(block.content),
            isError: block.is_error === true,
            imported: true,
          },
        });
      }
      const text = userText(message?.content);
      if (text === undefined) continue;
      events.push(...importedInput(`imported-${++n}`, text));
    } else {
      for (const [i, block] of asArray(message?.content).map(asObject).entries()) {
        const messageId = `imported-${lineId}${i === 0 ? '' : `#${i}`}`;
        if (block?.type === 'text' && asString(block.text)) {
          events.push({
            type: 'agent.text',
            data: { messageId, text: cut(asString(block.text)!), imported: true },
          });
        } else if (block?.type === 'thinking' && asString(block.thinking)) {
          events.push({
            type: 'agent.thinking',
            data: { messageId, text: cut(asString(block.thinking)!), imported: true },
          });
        } else if (block?.type === 'tool_use' && asString(block.id)) {
          events.push({
            type: 'agent.tool.call',
            data: {
              toolCallId: asString(block.id)!,
              name: asString(block.name) ?? 'tool',
              input: capped(block.input ?? {}),
              imported: true,
            },
          });
        }
      }
    }
  }
  return newestImported(events);
}
