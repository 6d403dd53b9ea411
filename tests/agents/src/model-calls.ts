/** A `tool_result` block the agent sent the model API, as the fake received it. */
export interface SentToolResult {
  tool_use_id: string;
  content: unknown;
  is_error?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;

/** Every content block of every message in Anthropic Messages API request bodies. */
function contentBlocks(bodies: readonly unknown[]): Obj[] {
  const blocks: Obj[] = [];
  for (const body of bodies) {
    const messages = isObj(body) && Array.isArray(body.messages) ? body.messages : [];
    for (const m of messages) {
      if (!isObj(m) || !Array.isArray(m.content)) continue;
      for (const block of m.content) if (isObj(block)) blocks.push(block);
    }
  }
  return blocks;
}

/** The result Claude sent the model for tool call `toolUseId`, in the last call that has it. */
export function toolResultSent(
  bodies: readonly unknown[],
  toolUseId: string,
): SentToolResult | undefined {
  return contentBlocks(bodies)
    .filter((b) => b.type === 'tool_result' && b.tool_use_id === toolUseId)
    .map((b) => b as unknown as SentToolResult)
    .at(-1);
}

/** A tool result's content as text (a string, or text blocks joined). */
export function resultText(result: SentToolResult | undefined): string {
  const c = result?.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c))
    return c.map((b) => (isObj(b) && typeof b.text === 'string' ? b.text : '')).join('\n');
  return '';
}
