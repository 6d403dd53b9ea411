import type { NewLogEvent } from '@baton/protocol';
import { asArray, asString, type JsonObject } from '../agent-common/index.js';

/**
 * Codex thread items as baton events. Tool-like items (commands, file changes, MCP and web
 * tools) become an `agent.tool.call` when they start and an `agent.tool.result` when they
 * complete, under Codex's own item id; assistant messages and reasoning become `agent.text` and
 * `agent.thinking` when they complete.
 */
export function itemStartedEvents(item: JsonObject): NewLogEvent[] {
  const id = asString(item.id);
  if (!id) return [];
  const call = toolCall(item);
  return call ? [{ type: 'agent.tool.call', data: { toolCallId: id, ...call } }] : [];
}

export function itemCompletedEvents(item: JsonObject): NewLogEvent[] {
  const id = asString(item.id);
  if (!id) return [];
  switch (item.type) {
    case 'agentMessage':
      return [{ type: 'agent.text', data: { messageId: id, text: asString(item.text) ?? '' } }];
    case 'reasoning': {
      const text = [...asArray(item.summary), ...asArray(item.content)]
        .filter((s): s is string => typeof s === 'string')
        .join('\n');
      return text ? [{ type: 'agent.thinking', data: { messageId: id, text } }] : [];
    }
    case 'commandExecution': {
      const exitCode = typeof item.exitCode === 'number' ? item.exitCode : null;
      return [
        {
          type: 'agent.tool.result',
          data: {
            toolCallId: id,
            output: asString(item.aggregatedOutput) ?? '',
            isError: item.status !== 'completed' || (exitCode !== null && exitCode !== 0),
          },
        },
      ];
    }
    case 'fileChange':
      return [
        {
          type: 'agent.tool.result',
          data: {
            toolCallId: id,
            output: item.status ?? null,
            isError: item.status !== 'completed',
          },
        },
      ];
    case 'mcpToolCall':
      return [
        {
          type: 'agent.tool.result',
          data: {
            toolCallId: id,
            output: item.error ?? item.result ?? null,
            isError: item.error != null || item.status === 'failed',
          },
        },
      ];
    case 'webSearch':
      return [
        { type: 'agent.tool.result', data: { toolCallId: id, output: null, isError: false } },
      ];
    default:
      return [];
  }
}

function toolCall(item: JsonObject): { name: string; input: unknown } | undefined {
  switch (item.type) {
    case 'commandExecution':
      return { name: 'command', input: { command: item.command ?? '', cwd: item.cwd ?? null } };
    case 'fileChange':
      return { name: 'file_change', input: { changes: item.changes ?? [] } };
    case 'mcpToolCall':
      return {
        name: `${asString(item.server) ?? 'mcp'}/${asString(item.tool) ?? 'tool'}`,
        input: item.arguments ?? {},
      };
    case 'webSearch':
      return { name: 'web_search', input: { query: item.query ?? '' } };
    default:
      return undefined;
  }
}

/** The item's `changes`, kept from item/started to show with a file-change approval. */
export function fileChanges(item: JsonObject): unknown {
  return item.type === 'fileChange' ? (item.changes ?? []) : undefined;
}
