import type { HLJSApi } from 'highlight.js';

/**
 * Syntax highlighting for code blocks in agent Markdown, with highlight.js's common languages.
 * Loaded on first use as its own chunk, so a chat without code (and every other page) never
 * downloads it. highlight.js escapes the code it colours, so its output is safe to insert.
 */
let loading: Promise<HLJSApi> | undefined;

function highlighter(): Promise<HLJSApi> {
  loading ??= import('highlight.js/lib/common').then((m) => m.default);
  return loading;
}

/** Colours the code blocks under `root` not coloured yet. Blocks without a language are guessed. */
export async function highlightCode(root: HTMLElement): Promise<void> {
  const blocks = [...root.querySelectorAll<HTMLElement>('pre > code:not(.hljs)')];
  if (blocks.length === 0) return;
  const hljs = await highlighter();
  for (const block of blocks) {
    if (!block.isConnected || block.classList.contains('hljs')) continue;
    const lang = /language-([\w+#.-]+)/.exec(block.className)?.[1];
    if (lang && !hljs.getLanguage(lang)) block.classList.add('nohighlight');
    hljs.highlightElement(block);
  }
}
