import { formatJson } from './format-json.js';

/**
 * A tool result as text a person reads: Claude gives a string or content blocks
 * (`[{type:'text', text}]`), Codex the command's aggregated output or a status; anything else
 * is shown as JSON.
 */
export function toolOutputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    const texts = output.map((block: unknown) =>
      typeof block === 'object' &&
      block !== null &&
      'text' in block &&
      typeof block.text === 'string'
        ? block.text
        : undefined,
    );
    if (texts.every((t) => t !== undefined)) return texts.join('\n');
  }
  return formatJson(output);
}
