/**
 * Sections of BENCHMARKS.md that other tools write (the browser benchmark's, say), each between
 * `<!-- NAME:start -->` and `<!-- NAME:end -->` on lines of their own. The full benchmark
 * rewrites the file from scratch, so it carries every marked block of the old file over
 * unchanged; each tool replaces only its own block. NAME is lower case letters, digits and `-`.
 */
const BLOCK = /^<!-- ([a-z0-9-]+):start -->\n[\s\S]*?^<!-- \1:end -->$/gm;
const NAME = /^[a-z0-9-]+$/;

/** The marked blocks of `text` by name, each with its marker lines; the first of a name wins. */
export function markedBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of text.replace(/\r\n/g, '\n').matchAll(BLOCK)) {
    if (!blocks.has(match[1]!)) blocks.set(match[1]!, match[0]);
  }
  return blocks;
}

/**
 * `next` with every marked block of `previous` in it: a block `next` also has is replaced by
 * the old one (a tool's block is that tool's to write), the others are appended in their old
 * order.
 */
export function keepMarkedBlocks(previous: string, next: string): string {
  let out = next;
  for (const [name, block] of markedBlocks(previous)) out = putBlock(out, name, block);
  return out;
}

/**
 * `text` with the block `name` holding `body` (Markdown, without markers): in place of the
 * block of that name, or appended at the end when there is none.
 */
export function replaceMarkedBlock(text: string, name: string, body: string): string {
  if (!NAME.test(name))
    throw new Error(`a marked block's name is [a-z0-9-]+, not ${JSON.stringify(name)}`);
  return putBlock(text, name, `<!-- ${name}:start -->\n${body.trim()}\n<!-- ${name}:end -->`);
}

function putBlock(text: string, name: string, block: string): string {
  const normalized = text.replace(/\r\n/g, '\n');
  const existing = markedBlocks(normalized).get(name);
  // A function as the replacement, so `$` in the block is never read as a pattern.
  if (existing !== undefined) return normalized.replace(existing, () => block);
  return `${normalized.trimEnd()}\n\n${block}\n`;
}
