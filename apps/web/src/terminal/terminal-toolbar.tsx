import { useState, type ReactNode } from 'react';
import type { Terminal } from '@xterm/xterm';

/**
 * The terminal bar: find, copy and paste, and whatever the view adds (`children`, e.g. the size
 * control). Copy takes the selection, or the visible screen when nothing is selected; paste goes
 * through xterm (bracketed when the program asked for it), so it is typed like keys.
 */
export function TerminalToolbar({
  term,
  readOnly,
  searchOpen,
  onSearchToggle,
  before,
  children,
}: {
  term: Terminal | undefined;
  readOnly: boolean;
  searchOpen: boolean;
  onSearchToggle: () => void;
  /** Shown first (this window's Typing/Watching choice). */
  before?: ReactNode;
  children?: ReactNode;
}): ReactNode {
  const [message, setMessage] = useState<string>();

  const copy = (): void => {
    if (!term) return;
    const text = term.hasSelection() ? term.getSelection() : visibleText(term);
    navigator.clipboard.writeText(text).then(
      () => setMessage(term.hasSelection() ? 'Selection copied' : 'Screen copied'),
      () => setMessage('Copy was refused by the browser: select the text and use Ctrl+C'),
    );
  };
  const paste = (): void => {
    if (!term) return;
    // The focus goes back to the terminal at once, not when the clipboard answers: a key
    // pressed meanwhile (Enter, say) must reach the terminal, not press Paste a second time.
    term.focus();
    navigator.clipboard.readText().then(
      (text) => {
        setMessage(undefined);
        if (text !== '') term.paste(text);
        term.focus();
      },
      () => setMessage('Paste was refused by the browser: use Ctrl+Shift+V or the context menu'),
    );
  };

  return (
    <div className="terminal-toolbar" role="toolbar" aria-label="Terminal">
      {before}
      <button type="button" aria-pressed={searchOpen} onClick={onSearchToggle} title="Ctrl+Shift+F">
        Find
      </button>
      <button type="button" onClick={copy}>
        Copy
      </button>
      {readOnly ? null : (
        <button type="button" onClick={paste}>
          Paste
        </button>
      )}
      {children}
      {message ? (
        <span className="terminal-toolbar-message" role="status">
          {message}
        </span>
      ) : null}
    </div>
  );
}

function visibleText(term: Terminal): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = buffer.viewportY; i < buffer.viewportY + term.rows; i++)
    lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  return lines.join('\n').trimEnd();
}
