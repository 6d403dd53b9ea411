import { stripUnprintable, type LogEvent } from '@baton/protocol';
import { describeAttachment } from './describe-attachment.js';

function clip(value: unknown, max = 200): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/**
 * One readable line (or block) per event for `baton tail`. Terminal output is returned raw so
 * the terminal renders it; everything else is a labelled line.
 */
export function formatEvent(e: LogEvent): string | undefined {
  switch (e.type) {
    case 'terminal.output':
      return e.data.data;
    case 'session.created':
      return `[#${e.seq}] created ${e.data.kind} session '${stripUnprintable(e.data.name)}'\n`;
    case 'session.renamed':
      return `[#${e.seq}] renamed to '${stripUnprintable(e.data.name)}'\n`;
    case 'session.status':
      return `[#${e.seq}] status ${e.data.status}${e.data.exitCode !== undefined ? ` (exit ${e.data.exitCode})` : ''}${e.data.reason ? `: ${stripUnprintable(e.data.reason)}` : ''}\n`;
    case 'input':
      return 'text' in e.data.payload
        ? `[#${e.seq}] you (${e.data.deviceId}): ${e.data.payload.text}${(e.data.payload.attachments ?? []).map((a) => ` ${describeAttachment(a)}`).join('')}\n`
        : undefined;
    case 'input.withdrawn':
      return `[#${e.seq}] withdrawn before it ran: input ${e.data.inputId} (${e.data.deviceId})\n`;
    case 'input.delivered':
    case 'terminal.resized':
    case 'agent.bound':
      return undefined;
    case 'agent.turn.started':
      return `[#${e.seq}] turn started\n`;
    case 'agent.text':
      return `[#${e.seq}] ${e.data.command !== undefined ? `/${e.data.command}` : 'assistant'}: ${e.data.text}\n`;
    case 'agent.thinking':
      return `[#${e.seq}] thinking: ${clip(e.data.text, 500)}\n`;
    case 'agent.tool.call':
      return `[#${e.seq}] tool ${e.data.name} ${clip(e.data.input)}\n`;
    case 'agent.tool.result':
      return `[#${e.seq}] tool result${e.data.isError ? ' (error)' : ''}: ${clip(e.data.output)}\n`;
    case 'agent.permission.requested':
      return `[#${e.seq}] permission requested (${e.data.requestId}): ${e.data.toolName} ${clip(e.data.input)}\n`;
    case 'agent.permission.resolved':
      return `[#${e.seq}] permission ${e.data.requestId}: ${e.data.resolution.decision} by ${e.data.deviceId}\n`;
    case 'agent.turn.ended':
      return `[#${e.seq}] turn ${e.data.outcome}${e.data.error ? `: ${e.data.error}` : ''}${e.data.costUsd !== undefined ? ` ($${e.data.costUsd.toFixed(4)})` : ''}\n`;
    case 'agent.error':
      return `[#${e.seq}] error: ${e.data.message}\n`;
    case 'agent.settings.changed':
      return `[#${e.seq}] settings by ${e.data.deviceId}:${e.data.model !== undefined ? ` model ${e.data.model}` : ''}${e.data.permissionMode !== undefined ? ` permission mode ${e.data.permissionMode}` : ''}\n`;
    case 'agent.cleared':
      return `[#${e.seq}] new conversation: context cleared by ${e.data.deviceId}\n`;
    case 'agent.commands':
      return undefined;
    case 'doc.changed': {
      const fields = Object.keys(e.data.changes).join(', ') || 'no field';
      const conflicts = Object.keys(e.data.conflicts ?? {});
      return `[#${e.seq}] document '${e.data.name}' v${e.data.version}: ${fields} by ${e.data.deviceId} (${e.data.mode})${conflicts.length > 0 ? `; conflict on ${conflicts.join(', ')}` : ''}\n`;
    }
  }
}
