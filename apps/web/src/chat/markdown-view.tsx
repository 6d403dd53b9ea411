import { memo, useEffect, useRef, type MouseEvent, type ReactNode } from 'react';
import { highlightCode } from './code-highlight.js';
import { copyText } from './copy-text.js';
import { renderMarkdown } from './markdown.js';

/**
 * Agent Markdown, sanitised (markdown.ts), with code blocks coloured once the highlighter has
 * loaded (not while the text still streams in: each fragment would redo it) and a Copy button
 * on each block. One click handler for the whole text serves every button.
 */
export const MarkdownView = memo(function MarkdownView({
  text,
  streaming,
}: {
  text: string;
  streaming: boolean;
}): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!streaming && ref.current) void highlightCode(ref.current).catch(() => {});
  }, [text, streaming]);

  const onClick = (event: MouseEvent<HTMLDivElement>): void => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.copy-code');
    const code = button?.parentElement?.querySelector('pre code');
    if (!button || !code) return;
    copyText(code.textContent ?? '').then(
      () => flash(button, 'Copied'),
      () => flash(button, 'Copy failed'),
    );
  };

  return (
    <div
      ref={ref}
      className="markdown"
      onClick={onClick}
      dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }}
    />
  );
});

function flash(button: HTMLButtonElement, label: string): void {
  button.textContent = label;
  setTimeout(() => {
    button.textContent = 'Copy';
  }, 1500);
}
